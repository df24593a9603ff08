import { createModelEntityBehaviour } from "../instrumented-user-function/index.js";
import { ModelEntitySubject } from "../../subjects/model-entity-subject.js";
import { fileDescriptorOf } from "./file-descriptor-of.js";
import { startRawUserFunction, type RawUserFunctionOptions, type RunningUserFunction } from "./raw-user-function.js";

export type RawModelEntityOptions = RawUserFunctionOptions;

/** The TCK model entity on the raw protocol (backend mode's model entity behaviour), with optional faults. */
export function startRawModelEntity(options: RawModelEntityOptions = {}): Promise<RunningUserFunction> {
  const subject = new ModelEntitySubject();
  return startRawUserFunction(
    {
      spec: {
        proto: fileDescriptorOf(subject.root, "tck/model.proto", ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]),
        serviceName: subject.serviceName,
        persistenceId: subject.persistenceId,
      },
      commandNames: ["Process", "ProcessEmpty", "ProcessComposite", "ProcessStream"],
      createBehaviour: createModelEntityBehaviour,
    },
    options,
  );
}
