import { Server, ServerCredentials, status, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { entityServiceDefinition, type AnyPayload, type EntitySpec, type StreamIn, type StreamOut } from "../../../protocol/index.js";
// The snake_case descriptor type (proto-loader, loaded with reflection, swaps in a camelCase one by path).
import { fileDescriptorType } from "../../discovery/index.js";

/**
 * A user function written on the raw protocol, for backend tests: an entity
 * whose state is a string; `Append { id, value }` emits one event per
 * character group (`value` split on `+`) and replies the new state. Every
 * stream is recorded, and a test can take over any command to misbehave.
 *
 * Kept apart from the TCK's raw-protocol user function (tck/kit/doubles/instrumented-user-function/)
 * on purpose: the reference backend is certified by the TCK, so its own tests depend on nothing of
 * the TCK; and this entity has method shapes the backend's unit tests need that the TCK's model
 * entity lacks (a client-streaming AppendAll, a server-streaming Watch).
 */

export const testPackage = "test.backend";
export const testService = `${testPackage}.Things`;
export const testPersistenceId = "things";
export const eventTypeUrl = `type.googleapis.com/${testPackage}.Appended`;
export const snapshotTypeUrl = `type.googleapis.com/${testPackage}.State`;
export const responseTypeUrl = `type.googleapis.com/${testPackage}.Response`;

const root = new protobuf.Root();
export const RequestType = new protobuf.Type("Request")
  .add(new protobuf.Field("id", 1, "string"))
  .add(new protobuf.Field("value", 2, "string"));
export const CompositeRequestType = new protobuf.Type("CompositeRequest")
  .add(new protobuf.Field("a", 1, "string"))
  .add(new protobuf.Field("b", 2, "string"))
  .add(new protobuf.Field("value", 3, "string"));
export const ResponseType = new protobuf.Type("Response").add(new protobuf.Field("state", 1, "string"));
root.define(testPackage).add(RequestType).add(CompositeRequestType).add(ResponseType);

const keyOption = { ".lightbend.serverless.entity_key": true };
const string = 9;

function thingsFile(): Record<string, unknown> {
  const field = (name: string, number: number, key = false) => ({
    name,
    number,
    label: 1,
    type: string,
    ...(key ? { options: keyOption } : {}),
  });
  const method = (name: string, input: string, output: string, streaming: { client?: boolean; server?: boolean } = {}) => ({
    name,
    input_type: `.${testPackage}.${input}`,
    output_type: output.startsWith(".") ? output : `.${testPackage}.${output}`,
    ...(streaming.client ? { client_streaming: true } : {}),
    ...(streaming.server ? { server_streaming: true } : {}),
  });
  return {
    name: "test/things.proto",
    package: testPackage,
    dependency: ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"],
    syntax: "proto3",
    message_type: [
      { name: "Request", field: [field("id", 1, true), field("value", 2)] },
      { name: "CompositeRequest", field: [field("a", 1, true), field("b", 2, true), field("value", 3)] },
      { name: "Response", field: [field("state", 1)] },
    ],
    service: [
      {
        name: "Things",
        method: [
          method("Append", "Request", "Response"),
          method("AppendEmpty", "Request", ".google.protobuf.Empty"),
          method("AppendComposite", "CompositeRequest", "Response"),
          method("AppendStream", "Request", "Response", { client: true, server: true }),
          method("AppendAll", "Request", "Response", { client: true }),
          method("Watch", "Request", "Response", { server: true }),
        ],
      },
    ],
  };
}

export function thingsSpec(): EntitySpec {
  const type = fileDescriptorType();
  return {
    proto: type.encode(type.fromObject(thingsFile())).finish(),
    serviceName: testService,
    persistenceId: testPersistenceId,
  };
}

/** One `handle` stream as the user function saw it. */
export interface ThingsStreamRecord {
  readonly received: StreamIn[];
  readonly sent: StreamOut[];
  /** Set when the backend completed (half-closed) the stream. */
  completedByBackend: boolean;
  /** Set when the stream was cancelled or errored. */
  cancelled: boolean;
}

/** What a test-supplied misbehaviour does with a command: answer it, or let the entity run it. */
export interface CommandContext {
  readonly command: Extract<StreamIn, { case: "command" }>;
  readonly state: string;
  /** The sequence number of the entity's last event. */
  readonly sequence: number;
  send(message: StreamOut): void;
  /** Writes bytes that need not decode as an EntityStreamOut (garbage on the wire). */
  sendBytes(bytes: Uint8Array): void;
  /** Ends the stream with OK, as a user function that gives up would. */
  end(): void;
  /** Ends the stream with an error status. */
  fail(details: string): void;
}
export type CommandTakeover = (context: CommandContext) => "handled" | "normal";

export interface RawUserFunction {
  readonly target: string;
  readonly port: number;
  readonly streams: ThingsStreamRecord[];
  /** Snapshot every N events (absolute sequence numbers); default 3. */
  snapshotEvery: number;
  /** How long the user function takes to complete its side after the backend completed the stream. */
  endDelayMs: number;
  /** `open <n>` and `closed <n>` for stream n (from 1), in the order they happened. */
  readonly lifecycle: string[];
  misbehave: CommandTakeover | undefined;
  close(): Promise<void>;
}

const text = new TextEncoder();
const untext = new TextDecoder();
const encodeResponse = (state: string): Uint8Array => ResponseType.encode({ state }).finish();

/** Starts the test user function on 127.0.0.1 (port 0 unless given). */
export async function startRawUserFunction(port = 0): Promise<RawUserFunction> {
  const server = new Server();
  const live = new Set<ServerDuplexStream<StreamIn, StreamOut>>();
  const uf: RawUserFunction = {
    target: "",
    port: 0,
    streams: [],
    snapshotEvery: 3,
    endDelayMs: 10,
    lifecycle: [],
    misbehave: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const call of live) call.end();
        server.tryShutdown(() => resolve());
      }),
  };

  const handle = (call: ServerDuplexStream<StreamIn, StreamOut>): void => {
    live.add(call);
    const recorded: ThingsStreamRecord = { received: [], sent: [], completedByBackend: false, cancelled: false };
    uf.streams.push(recorded);
    const streamNumber = uf.streams.length;
    uf.lifecycle.push(`open ${streamNumber}`);
    let initialized = false;
    let entityState = "";
    let sequence = 0;
    let ended = false;
    const send = (message: StreamOut) => {
      if (ended) return;
      recorded.sent.push(message);
      call.write(message);
    };
    const sendBytes = (bytes: Uint8Array) => {
      if (ended) return;
      // The service's serializer passes a Buffer through unchanged (see the definition below).
      call.write(Buffer.from(bytes) as unknown as StreamOut);
    };
    const end = () => {
      if (ended) return;
      ended = true;
      uf.lifecycle.push(`closed ${streamNumber}`);
      call.end();
    };
    const fail = (details: string) => {
      if (ended) return;
      ended = true;
      uf.lifecycle.push(`closed ${streamNumber}`);
      call.emit("error", { code: status.FAILED_PRECONDITION, details });
    };
    call.on("data", (message: StreamIn) => {
      recorded.received.push(message);
      switch (message.case) {
        case "init":
          if (initialized) return fail("second Init");
          initialized = true;
          entityState = message.snapshot?.payload ? untext.decode(message.snapshot.payload.value) : "";
          sequence = message.snapshot?.sequence ?? 0;
          return;
        case "event":
          if (!initialized) return fail("Event before Init");
          entityState += untext.decode(message.payload?.value ?? new Uint8Array(0));
          sequence = message.sequence;
          return;
        case "command": {
          if (!initialized) return fail("Command before Init");
          const context: CommandContext = { command: message, state: entityState, sequence, send, sendBytes, end, fail };
          if (uf.misbehave?.(context) === "handled") return;
          const request = RequestType.decode(message.payload?.value ?? new Uint8Array(0)) as unknown as { value?: string };
          const value =
            message.name === "AppendComposite"
              ? (CompositeRequestType.decode(message.payload?.value ?? new Uint8Array(0)) as unknown as { value?: string }).value
              : request.value;
          if (value?.startsWith("fail:")) {
            send({ case: "failure", commandId: message.id, description: value.slice("fail:".length) });
            return;
          }
          const parts = value ? value.split("+") : [];
          const events: AnyPayload[] = parts.map((part) => ({ typeUrl: eventTypeUrl, value: text.encode(part) }));
          let snapshotDue = false;
          for (const part of parts) {
            entityState += part;
            sequence++;
            if (sequence % uf.snapshotEvery === 0) snapshotDue = true;
          }
          send({
            case: "reply",
            commandId: message.id,
            payload:
              message.name === "AppendEmpty"
                ? { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array(0) }
                : { typeUrl: responseTypeUrl, value: encodeResponse(entityState) },
            events,
            snapshot: snapshotDue ? { typeUrl: snapshotTypeUrl, value: text.encode(entityState) } : undefined,
          });
          return;
        }
        case undefined:
          return fail("empty message");
      }
    });
    // grpc-js reports a cancelled stream's end first and the cancellation a moment later
    // (and "cancelled" again after a normal end): look again shortly, before answering the end.
    call.on("end", () => {
      setTimeout(() => {
        if (call.cancelled) return;
        recorded.completedByBackend = true;
        end();
      }, uf.endDelayMs);
    });
    // grpc-js also reports "cancelled" once a normal end has sent its status, so that one does not count.
    call.on("cancelled", () => {
      if (ended) return;
      recorded.cancelled = true;
      ended = true;
      uf.lifecycle.push(`closed ${streamNumber}`);
    });
    call.on("error", () => {});
    call.on("close", () => live.delete(call));
    call.on("finish", () => live.delete(call));
  };

  const ready = (_: ServerUnaryCall<Record<string, never>, EntitySpec>, callback: sendUnaryData<EntitySpec>): void => {
    callback(null, thingsSpec());
  };

  // The same service, but a Buffer written to a stream goes out as it is (sendBytes: garbage on the wire).
  const definition = {
    ...entityServiceDefinition,
    handle: {
      ...entityServiceDefinition.handle,
      responseSerialize: (message: StreamOut | Buffer) =>
        Buffer.isBuffer(message) ? message : entityServiceDefinition.handle.responseSerialize(message),
    },
  };
  server.addService(definition, { handle, ready });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return Object.assign(uf, { target: `127.0.0.1:${bound}`, port: bound });
}

/** The state string in a `Response`'s bytes. */
export function decodeState(bytes: Uint8Array): string {
  return (ResponseType.decode(bytes) as unknown as { state: string }).state;
}
