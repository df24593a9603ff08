import * as grpc from "@grpc/grpc-js";
import { createEntityClient, readyOf, type AnyPayload, type StreamIn, type StreamOut } from "../../../reference/protocol/index.js";
import { listenAndDrain } from "../../../reference/protocol/testing/listen-and-drain.js";
import { modelPackage, modelTypes } from "../../kit/doubles/instrumented-user-function/index.js";
import type { BackendLauncher, LaunchedBackend, LaunchRequest } from "../driver/backend-launcher.js";
import { createInProcessBackendLauncher } from "../driver/in-process-backend-launcher.js";

/**
 * The thing a raw fake backend is run to show wrong. (It never has a relay timeout at all:
 * "has-no-relay-timeout" only names that for the G6 self-test.)
 */
export type FakeBackendDefect =
  | "reuses-command-ids"
  | "never-passivates"
  | "has-no-relay-timeout"
  | "accepts-empty-keys"
  | "url-encodes-ids"
  | "init-id-differs"
  /** Builds a composite key from the fields present in the request's bytes: an absent default is another entity than an explicit one (J3). */
  | "keys-from-present-fields"
  /** Closes an entity's stream after a Failure and opens a new one (Init, replay) for the next command (G3). */
  | "restarts-stream-after-failure"
  /** Ignores an answer that arrives with no command pending instead of failing the entity (D9). */
  | "ignores-unexpected-answers"
  /** Opens an entity's stream without an Init: its first message is a Command (B1). */
  | "sends-no-init"
  /** Offers the latest snapshot in Init, then replays every event from 1 anyway (C4, F4). */
  | "replays-from-1-despite-snapshot"
  /** After passivating an entity, opens its next stream at once, while the user function still holds the old one open (I4). */
  | "opens-new-stream-while-old-lives"
  /** Serves a method whose input has no key field, and has no empty-key check (A3). */
  | "serves-unkeyed-method"
  /**
   * Implements none of the decisions where the seed is silent: no empty-key check (J4), composite
   * keys joined without escaping (J2), and no per-entity queue bound (I5; no fake has one).
   */
  | "silent-decisions-absent";

interface EntityStream {
  readonly call: grpc.ClientDuplexStream<StreamIn, StreamOut>;
  readonly waiting: Array<(answer: StreamOut | undefined) => void>;
  nextId: number;
  idle: NodeJS.Timeout | undefined;
  /** Serialises this entity's commands. */
  queue: Promise<unknown>;
  /** The user function's side ended too. */
  ended: boolean;
}

/**
 * A deliberately small backend for the model entity written in the self-test:
 * right enough to pass most scenarios, with exactly one defect.
 */
export function createRawFakeBackendLauncher(defect: FakeBackendDefect): BackendLauncher {
  return createInProcessBackendLauncher({
    description: `raw fake backend that ${defect.replace(/-/g, " ")}`,
    durable: false,
    launch: (request) => launchFake(request, defect),
  });
}

async function launchFake(request: LaunchRequest, defect: FakeBackendDefect): Promise<LaunchedBackend> {
  const userFunction = createEntityClient(request.userFunction, {
    channel: { "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 },
  });
  // silent-decisions-absent retries ready() while the user function is down (A5), so its run fails only for the decisions.
  for (;;) {
    try {
      await readyOf(userFunction, 5000);
      break;
    } catch (error) {
      if (defect !== "silent-decisions-absent") throw error;
      await new Promise((retry) => setTimeout(retry, 200));
    }
  }
  // As a JVM backend's URLEncoder would: `~` becomes %7E too.
  const wireId = (id: string) => (defect === "url-encodes-ids" ? encodeURIComponent(id).replace(/~/g, "%7E") : id);
  const requestType = modelTypes().lookupType(`${modelPackage}.Request`);
  const compositeType = modelTypes().lookupType(`${modelPackage}.CompositeRequest`);
  const escape = (part: string) => (defect === "silent-decisions-absent" ? part : part.replace(/\\/g, "\\\\").replace(/-/g, "\\-"));
  const keyOf = {
    Process: (bytes: Buffer) => String((requestType.decode(bytes) as unknown as { id?: string }).id ?? ""),
    ProcessEmpty: (bytes: Buffer) => String((requestType.decode(bytes) as unknown as { id?: string }).id ?? ""),
    // Only served by serves-unkeyed-method (A3), which takes whatever id field the bytes hold.
    ProcessUnkeyed: (bytes: Buffer) => String((requestType.decode(bytes) as unknown as { id?: string }).id ?? ""),
    ProcessComposite: (bytes: Buffer) => {
      // protobufjs sets own properties only for the fields on the wire; the rest come from the prototype's defaults.
      const message = compositeType.decode(bytes) as unknown as Record<string, unknown>;
      const part = (field: string) =>
        defect === "keys-from-present-fields" && !Object.hasOwn(message, field) ? "" : String(message[field]);
      if (String(message["part_a"] ?? "") === "") return "";
      return [escape(String(message["part_a"])), part("part_b"), part("part_c"), part("part_d")].join("-");
    },
  } as const;
  const journal = new Map<string, AnyPayload[]>();
  const snapshots = new Map<string, { sequence: number; payload: AnyPayload }>();
  const entities = new Map<string, EntityStream>();
  /** Streams this fake completed whose user function side is still open: cancelled before the entity's next stream opens (I4). */
  const closing = new Map<string, grpc.ClientDuplexStream<StreamIn, StreamOut>>();

  const close = (id: string, entity: EntityStream) => {
    if (entities.get(id) === entity) entities.delete(id);
    clearTimeout(entity.idle);
    if (!entity.ended) closing.set(id, entity.call);
    entity.call.end();
    for (const waiter of entity.waiting.splice(0)) waiter(undefined);
  };
  const open = (id: string): EntityStream => {
    const existing = entities.get(id);
    if (existing) return existing;
    const old = closing.get(id);
    closing.delete(id);
    if (old && defect !== "opens-new-stream-while-old-lives") old.cancel();
    const call = userFunction.handle();
    const entity: EntityStream = { call, waiting: [], nextId: 1, idle: undefined, queue: Promise.resolve(), ended: false };
    const ended = () => {
      entity.ended = true;
      if (closing.get(id) === call) closing.delete(id);
      close(id, entity);
    };
    call.on("data", (answer: StreamOut) => {
      const waiter = entity.waiting.shift();
      if (waiter) waiter(answer);
      // An answer with nothing pending is a protocol violation: the entity's stream is closed (D9).
      else if (defect !== "ignores-unexpected-answers") {
        call.cancel();
        close(id, entity);
      }
    });
    call.on("error", ended);
    call.on("end", ended);
    const snapshot = snapshots.get(id);
    if (defect !== "sends-no-init") call.write({ case: "init", entityId: defect === "init-id-differs" ? `${id}!` : wireId(id), snapshot });
    const from = defect === "replays-from-1-despite-snapshot" ? 0 : (snapshot?.sequence ?? 0);
    (journal.get(id) ?? []).forEach((payload, i) => {
      if (i >= from) call.write({ case: "event", sequence: i + 1, payload });
    });
    entities.set(id, entity);
    return entity;
  };

  const process = (name: keyof typeof keyOf) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    const id = keyOf[name](call.request);
    // serves-unkeyed-method (A3) is lenient throughout: no empty-key check either, so the probe of Process gets no INVALID_ARGUMENT.
    if (!id && defect !== "accepts-empty-keys" && defect !== "serves-unkeyed-method" && defect !== "silent-decisions-absent")
      return callback({ code: grpc.status.INVALID_ARGUMENT, details: "no entity key" });
    const entity = open(id);
    clearTimeout(entity.idle);
    entity.queue = entity.queue.then(
      () =>
        new Promise<void>((done) => {
          const waiter = (answer: StreamOut | undefined) => {
            clearTimeout(relay);
            if (answer?.case === "reply") {
              const events = [...(journal.get(id) ?? []), ...answer.events];
              journal.set(id, events);
              if (answer.snapshot && answer.events.length > 0) snapshots.set(id, { sequence: events.length, payload: answer.snapshot });
              callback(null, Buffer.from(answer.payload?.value ?? new Uint8Array(0)));
            } else if (answer?.case === "failure") {
              callback({ code: grpc.status.UNKNOWN, details: answer.description });
              if (defect === "restarts-stream-after-failure") close(id, entity);
            } else callback({ code: grpc.status.UNAVAILABLE, details: "user function stream ended" });
            if (defect !== "never-passivates" && entities.get(id) === entity) {
              clearTimeout(entity.idle);
              entity.idle = setTimeout(() => close(id, entity), request.settings.passivationTimeoutMs);
            }
            done();
          };
          // silent-decisions-absent has a relay timeout (G6): the call ends DEADLINE_EXCEEDED and the entity's stream is dropped.
          const relay =
            defect === "silent-decisions-absent"
              ? setTimeout(() => {
                  entity.waiting.splice(entity.waiting.indexOf(waiter), 1);
                  callback({ code: grpc.status.DEADLINE_EXCEEDED, details: "the user function did not answer within the relay timeout" });
                  entity.call.cancel();
                  close(id, entity);
                  done();
                }, request.settings.relayTimeoutMs)
              : undefined;
          entity.waiting.push(waiter);
          const commandId = defect === "reuses-command-ids" ? 1 : entity.nextId++;
          entity.call.write({
            case: "command",
            entityId: wireId(id),
            id: commandId,
            name,
            payload: {
              typeUrl: `type.googleapis.com/${modelPackage}.${name === "ProcessComposite" ? "CompositeRequest" : "Request"}`,
              value: call.request,
            },
          });
        }),
    );
  };

  const server = new grpc.Server({ "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 });
  const identity = (bytes: Buffer) => bytes;
  for (const method of [
    "Process",
    "ProcessEmpty",
    "ProcessComposite",
    ...(defect === "serves-unkeyed-method" ? (["ProcessUnkeyed"] as const) : []),
  ] as const) {
    server.register(`/${modelPackage}.ModelEntity/${method}`, process(method), identity, identity, "unary");
  }
  const listening = await listenAndDrain(server);
  return {
    target: listening.address,
    output: () =>
      `raw fake backend (${defect})${defect === "serves-unkeyed-method" ? "\nWARN method ProcessUnkeyed has no key field: serving it anyway" : ""}`,
    exited: new Promise<string>(() => {}),
    stop: async () => {
      for (const [id, entity] of entities) close(id, entity);
      await listening.close(0);
      userFunction.close();
    },
  };
}
