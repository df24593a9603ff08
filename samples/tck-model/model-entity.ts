import { type CommandContext, createEventSourcedEntity, type EventSourcedEntity, type ProtoObject } from "../../reference/support/index.js";

/** The TCK model entity, exactly as proto/tck/README.md fixes it. */
export const modelPersistenceId = "tck-model";
export const modelServiceName = "lightbend.serverless.tck.model.ModelEntity";
export const defaultModelSnapshotEvery = 5;
const model = "lightbend.serverless.tck.model";

/** One `RequestAction`, as decoded (`action` names the oneof case that is set). */
export type RequestAction =
  | { readonly action: "emit"; readonly emit: { readonly value: string } }
  | { readonly action: "fail"; readonly fail: { readonly description: string } }
  | { readonly action: "respond"; readonly respond: { readonly message: string } }
  | { readonly action: "throw"; readonly throw: { readonly message: string } }
  /** No case set: nothing to do. */
  | { readonly action?: undefined };

export interface ModelRequest {
  readonly actions: readonly RequestAction[];
}

export interface ModelResponse {
  readonly state: string;
  readonly message: string;
}

/** The handler throwing on a `throw` action; the library turns it into a Failure. */
export class ModelEntityThrow extends Error {
  override readonly name = "ModelEntityThrow";
}

export interface ModelEntityOptions {
  /** A reply carries a snapshot when one of its events reaches a multiple of this; default 5, 0 never. */
  readonly snapshotEvery?: number;
}

export function createModelEntity(options: ModelEntityOptions = {}): EventSourcedEntity<string> {
  return createEventSourcedEntity<string>({
    protoFiles: ["tck/model.proto"],
    serviceName: modelServiceName,
    persistenceId: modelPersistenceId,
    snapshotEvery: options.snapshotEvery ?? defaultModelSnapshotEvery,
    snapshot: {
      type: `${model}.State`,
      toMessage: (state) => ({ value: state }),
      fromMessage: (message) => String(message["value"] ?? ""),
    },
    initialState: () => "",
    behavior: () => ({
      commandHandlers: {
        Process: process,
        ProcessComposite: process,
        ProcessStream: process,
        ProcessEmpty: (request: ModelRequest, state: string, context: CommandContext<string>) => {
          process(request, state, context);
          return undefined; // google.protobuf.Empty
        },
      },
      eventHandlers: { Appended: (event: ProtoObject, state: string) => state + String(event["value"] ?? "") },
    }),
  });
}

/** Runs the actions in order; `fail` and `throw` end the command there. */
function process(request: ModelRequest, _state: string, context: CommandContext<string>): ModelResponse {
  let message = "";
  for (const step of request.actions) {
    switch (step.action) {
      case "emit":
        context.emit(`${model}.Appended`, { value: step.emit.value });
        break;
      case "fail":
        return context.fail(step.fail.description);
      case "respond":
        message = step.respond.message;
        break;
      case "throw":
        throw new ModelEntityThrow(step.throw.message);
      case undefined:
        break;
    }
  }
  return { state: context.state, message };
}
