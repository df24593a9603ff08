import { createModelEntityBehaviour, type InstrumentedUserFunction } from "../instrumented-user-function/index.js";
import { ModelEntitySubject } from "../../subjects/model-entity-subject.js";
import { rawSubjectOf, startRawSubject, type RawSubjectOptions } from "./raw-subject.js";

export type RawModelEntityOptions = RawSubjectOptions;

/** The TCK model entity on the raw protocol (backend mode's model entity behaviour), with optional faults. */
export function startRawModelEntity(options: RawModelEntityOptions = {}): Promise<InstrumentedUserFunction> {
  const subject = new ModelEntitySubject();
  return startRawSubject(
    rawSubjectOf({
      name: "raw-model-entity",
      entity: "model",
      createBehaviour: createModelEntityBehaviour,
      root: subject.root,
      file: "tck/model.proto",
      serviceName: subject.serviceName,
      persistenceId: subject.persistenceId,
    }),
    options,
  );
}
