import { createModelEntityBehaviour, type InstrumentedUserFunction } from "../instrumented-user-function/index.js";
import { ModelEntitySubject } from "../../subjects/model-entity-subject.js";
import { fileDescriptorOf } from "./file-descriptor-of.js";
import { inputTypesOf, startRawSubject, type RawSubjectOptions } from "./raw-subject.js";

export type RawModelEntityOptions = RawSubjectOptions;

/** The TCK model entity on the raw protocol (backend mode's model entity behaviour), with optional faults. */
export function startRawModelEntity(options: RawModelEntityOptions = {}): Promise<InstrumentedUserFunction> {
  const subject = new ModelEntitySubject();
  return startRawSubject(
    {
      name: "raw-model-entity",
      entity: "model",
      createBehaviour: createModelEntityBehaviour,
      spec: {
        proto: fileDescriptorOf(subject.root, "tck/model.proto", ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]),
        serviceName: subject.serviceName,
        persistenceId: subject.persistenceId,
      },
      defect: undefined,
      inputTypes: inputTypesOf(subject.root, subject.serviceName),
    },
    options,
  );
}
