import { type CommandContext, createEventSourcedEntity, type EventSourcedEntity, type ProtoObject } from "../index.js";

/**
 * A test entity on the TCK model protos: the state is a string, `Appended`
 * events append to it, and each command runs its actions. Handlers are async
 * (a `respond` of "slow" yields to the event loop several times) so ordering
 * under asynchrony is exercised. Written on the library here so the library's
 * tests do not depend on the sample in samples/tck-model.
 */
export const modelPackage = "lightbend.serverless.tck.model";

export function createAppendEntity(snapshotEvery = 5): EventSourcedEntity<string> {
  return createEventSourcedEntity<string>({
    protoFiles: ["tck/model.proto"],
    serviceName: `${modelPackage}.ModelEntity`,
    persistenceId: "append-test",
    snapshotEvery,
    snapshot: {
      type: `${modelPackage}.State`,
      toMessage: (state) => ({ value: state }),
      fromMessage: (message) => String(message["value"] ?? ""),
    },
    initialState: () => "",
    behavior: () => ({
      commandHandlers: { Process: run, ProcessEmpty: async (request, state, context) => void (await run(request, state, context)) },
      eventHandlers: { Appended: (event: ProtoObject, state: string) => state + String(event["value"]) },
    }),
  });
}

async function run(request: ProtoObject, _state: string, context: CommandContext<string>) {
  let message = "";
  for (const action of request["actions"] as ProtoObject[]) {
    switch (action["action"]) {
      case "emit":
        context.emit("Appended", { value: action["emit"].value });
        break;
      case "fail":
        return context.fail(action["fail"].description);
      case "respond":
        message = action["respond"].message;
        if (message === "slow") for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        break;
      case "throw":
        throw new Error(action["throw"].message);
    }
  }
  return { state: context.state, message };
}
