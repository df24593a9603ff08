import * as grpc from "@grpc/grpc-js";
import { entityServiceDefinition, type AnyPayload, type EntitySpec, type StreamIn, type StreamOut } from "../../../reference/protocol/index.js";
import { modelPackage, modelTypes } from "../../instrumented-user-function/index.js";
import type { BackendLauncher, LaunchedBackend, LaunchRequest } from "../driver/backend-launcher.js";
import { createInProcessBackendLauncher } from "../driver/in-process-backend-launcher.js";

/**
 * The thing a raw fake backend is run to show wrong. (It never has a relay timeout at all:
 * "has-no-relay-timeout" only names that for the G6 self-test.)
 */
export type FakeBackendDefect = "reuses-command-ids" | "never-passivates" | "has-no-relay-timeout" | "accepts-empty-keys" | "url-encodes-ids" | "init-id-differs" | "serves-unkeyed-method";

interface EntityStream {
  readonly call: grpc.ClientDuplexStream<StreamIn, StreamOut>;
  readonly waiting: Array<(answer: StreamOut | undefined) => void>;
  nextId: number;
  idle: NodeJS.Timeout | undefined;
  /** Serialises this entity's commands. */
  queue: Promise<unknown>;
}

/**
 * A deliberately small backend for the model entity written in the self-test:
 * right enough to pass most scenarios, with exactly one defect.
 */
export function createRawFakeBackendLauncher(defect: FakeBackendDefect): BackendLauncher {
  return createInProcessBackendLauncher({ description: `raw fake backend that ${defect.replace(/-/g, " ")}`, durable: false, launch: (request) => launchFake(request, defect) });
}

async function launchFake(request: LaunchRequest, defect: FakeBackendDefect): Promise<LaunchedBackend> {
  const Client = grpc.makeGenericClientConstructor(entityServiceDefinition, "Entity");
  const userFunction = new Client(request.userFunction, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  }) as unknown as {
    ready(r: Record<string, never>, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, s?: EntitySpec) => void): void;
    handle(): grpc.ClientDuplexStream<StreamIn, StreamOut>;
    close(): void;
  };
  await new Promise<void>((resolve, reject) =>
    userFunction.ready({}, { deadline: Date.now() + 5000 }, (error) => (error ? reject(error) : resolve())),
  );
  // As a JVM backend's URLEncoder would: `~` becomes %7E too.
  const wireId = (id: string) => (defect === "url-encodes-ids" ? encodeURIComponent(id).replace(/~/g, "%7E") : id);
  const requestType = modelTypes().lookupType(`${modelPackage}.Request`);
  const journal = new Map<string, AnyPayload[]>();
  const entities = new Map<string, EntityStream>();

  const close = (id: string, entity: EntityStream) => {
    if (entities.get(id) === entity) entities.delete(id);
    clearTimeout(entity.idle);
    entity.call.end();
    for (const waiter of entity.waiting.splice(0)) waiter(undefined);
  };
  const open = (id: string): EntityStream => {
    const existing = entities.get(id);
    if (existing) return existing;
    const call = userFunction.handle();
    const entity: EntityStream = { call, waiting: [], nextId: 1, idle: undefined, queue: Promise.resolve() };
    call.on("data", (answer: StreamOut) => entity.waiting.shift()?.(answer));
    call.on("error", () => close(id, entity));
    call.on("end", () => close(id, entity));
    call.write({ case: "init", entityId: defect === "init-id-differs" ? `${id}!` : wireId(id), snapshot: undefined });
    (journal.get(id) ?? []).forEach((payload, i) => call.write({ case: "event", sequence: i + 1, payload }));
    entities.set(id, entity);
    return entity;
  };

  const process = (name: string) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    const id = String((requestType.decode(call.request) as unknown as { id?: string }).id ?? "");
    // serves-unkeyed-method (A3) is lenient throughout: no empty-key check either, so the probe of Process gets no INVALID_ARGUMENT.
    if (!id && defect !== "accepts-empty-keys" && defect !== "serves-unkeyed-method") return callback({ code: grpc.status.INVALID_ARGUMENT, details: "no entity key" });
    const entity = open(id);
    clearTimeout(entity.idle);
    entity.queue = entity.queue.then(
      () =>
        new Promise<void>((done) => {
          entity.waiting.push((answer) => {
            if (answer?.case === "reply") {
              journal.set(id, [...(journal.get(id) ?? []), ...answer.events]);
              callback(null, Buffer.from(answer.payload?.value ?? new Uint8Array(0)));
            } else if (answer?.case === "failure") callback({ code: grpc.status.UNKNOWN, details: answer.description });
            else callback({ code: grpc.status.UNAVAILABLE, details: "user function stream ended" });
            if (defect !== "never-passivates" && entities.get(id) === entity) {
              clearTimeout(entity.idle);
              entity.idle = setTimeout(() => close(id, entity), request.settings.passivationTimeoutMs);
            }
            done();
          });
          const commandId = defect === "reuses-command-ids" ? 1 : entity.nextId++;
          entity.call.write({ case: "command", entityId: wireId(id), id: commandId, name, payload: { typeUrl: `type.googleapis.com/${modelPackage}.Request`, value: call.request } });
        }),
    );
  };

  const server = new grpc.Server({ "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 });
  const identity = (bytes: Buffer) => bytes;
  for (const method of ["Process", "ProcessEmpty", ...(defect === "serves-unkeyed-method" ? ["ProcessUnkeyed"] : [])]) {
    server.register(`/${modelPackage}.ModelEntity/${method}`, process(method), identity, identity, "unary");
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    target: `127.0.0.1:${port}`,
    output: () => `raw fake backend (${defect})${defect === "serves-unkeyed-method" ? "\nWARN method ProcessUnkeyed has no key field: serving it anyway" : ""}`,
    exited: new Promise<string>(() => {}),
    stop: async () => {
      for (const [id, entity] of entities) close(id, entity);
      server.forceShutdown();
      userFunction.close();
    },
  };
}
