import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import type { EntitySpec } from "../../../../reference/protocol/index.js";
import { cartFileDescriptor, cartPersistenceId, cartServiceName } from "./cart-descriptor.js";
import { encodeFileDescriptor } from "./file-descriptor.js";
import { modelFileDescriptor, modelPersistenceId, modelServiceName } from "./model-descriptor.js";
import { createCartEntityBehaviour } from "./cart-entity-behaviour.js";
import type { EntityBehaviour } from "./entity-behaviour.js";
import { createModelEntityBehaviour } from "./model-entity-behaviour.js";

/**
 * What the instrumented user function serves: the model entity or the shopping cart
 * (with descriptor variants), or a deliberately malformed spec a backend must refuse.
 */
export type InstrumentedSubjectName =
  | "model"
  | "model-keys-out-of-order"
  | "model-partial-descriptor"
  | "cart"
  | "malformed-unknown-service"
  | "malformed-unparsable-descriptor"
  | "malformed-empty-persistence-id"
  | "malformed-method-without-key";

export const instrumentedSubjectNames: readonly InstrumentedSubjectName[] = [
  "model",
  "model-keys-out-of-order",
  "model-partial-descriptor",
  "cart",
  "malformed-unknown-service",
  "malformed-unparsable-descriptor",
  "malformed-empty-persistence-id",
  "malformed-method-without-key",
];

export interface Subject {
  /** A subjectOf() name, or the name of a subject built elsewhere (the raw subjects of the self-tests). */
  readonly name: InstrumentedSubjectName | "raw-model-entity" | "raw-shopping-cart";
  /** Which entity it serves (the model entity's or the cart's methods). */
  readonly entity: "model" | "cart";
  /** A fresh entity for a `handle` stream. */
  createBehaviour(): EntityBehaviour;
  readonly spec: EntitySpec;
  /** For a malformed spec: what a backend must complain about. */
  readonly defect: string | undefined;
  /** Full name (no dot) of each method's input type: a Command's payload must carry it (D5). */
  readonly inputTypes: ReadonlyMap<string, string>;
}

export interface SubjectOptions {
  /** Overrides the subject's persistence id (A7 serves the same entity under several). */
  readonly persistenceId?: string;
}

/** A length-delimited field whose length runs past the end: no protobuf parser accepts it. */
const unparsableDescriptor = Uint8Array.from([0x0a, 0xc8, 0x01, 0x74, 0x63, 0x6b]);

export function subjectOf(name: InstrumentedSubjectName, options: SubjectOptions = {}): Subject {
  const model = (proto: Uint8Array, overrides: Partial<EntitySpec> = {}, defect?: string): Subject => ({
    name,
    entity: "model",
    createBehaviour: createModelEntityBehaviour,
    spec: { proto, serviceName: modelServiceName, persistenceId: options.persistenceId ?? modelPersistenceId, ...overrides },
    defect,
    inputTypes: inputTypesOf(modelFileDescriptor("method-without-key")),
  });
  const standard = () => encodeFileDescriptor(modelFileDescriptor("standard"));
  switch (name) {
    case "model":
      return model(standard());
    case "model-keys-out-of-order":
      return model(encodeFileDescriptor(modelFileDescriptor("keys-out-of-order")));
    case "model-partial-descriptor":
      return model(encodeFileDescriptor(modelFileDescriptor("partial")));
    case "cart":
      return {
        name,
        entity: "cart",
        createBehaviour: createCartEntityBehaviour,
        spec: {
          proto: encodeFileDescriptor(cartFileDescriptor()),
          serviceName: cartServiceName,
          persistenceId: options.persistenceId ?? cartPersistenceId,
        },
        defect: undefined,
        inputTypes: inputTypesOf(cartFileDescriptor()),
      };
    case "malformed-unknown-service":
      return model(
        standard(),
        { serviceName: "lightbend.serverless.tck.model.NoSuchService" },
        "the service name is not in the descriptor",
      );
    case "malformed-unparsable-descriptor":
      return model(unparsableDescriptor, {}, "the descriptor does not parse");
    case "malformed-empty-persistence-id":
      return model(standard(), { persistenceId: "" }, "the persistence id is empty");
    case "malformed-method-without-key":
      return model(encodeFileDescriptor(modelFileDescriptor("method-without-key")), {}, "method ProcessUnkeyed's input has no key field");
  }
}

function inputTypesOf(file: FileDescriptorProto): ReadonlyMap<string, string> {
  return new Map(file.service.flatMap((service) => service.method.map((m) => [m.name, m.inputType.replace(/^\./, "")] as const)));
}
