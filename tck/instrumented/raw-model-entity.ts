import * as grpc from "@grpc/grpc-js";
import {
  entityServiceDefinition,
  typeNameOf,
  typeUrlOf,
  type AnyPayload,
  type EntitySpec,
  type StreamIn,
  type StreamOut,
} from "../../reference/protocol/index.js";
import { ModelEntitySubject } from "../subjects/model-entity-subject.js";
import { fileDescriptorOf } from "./file-descriptor-of.js";

/**
 * Deliberate defects, one per broken user function of the self-tests. Each is
 * a mistake a real support library could make.
 */
export interface ModelEntityFaults {
  /** Replies as if it applied its events, but keeps the old state for the next command. */
  readonly doesNotApplyOwnEvents?: boolean;
  /** Starts from the empty state whatever snapshot Init offers (still counts its sequence). */
  readonly ignoresSnapshot?: boolean;
  /** Answers every command with the id of the command after it. */
  readonly wrongCommandIds?: boolean;
  /** Never answers the command with this id (nor anything after it) on any stream. */
  readonly hangsOnCommandId?: number;
  /** Sends every answer twice. */
  readonly answersTwice?: boolean;
  /** Completes the stream (status OK) instead of answering the command with this id. */
  readonly closesStreamOnCommandId?: number;
  /** Shuts the whole server down, as a crashing process would, on the first command with this id. */
  readonly crashesOnCommandId?: number;
  /** Counts snapshot points from the events this stream emitted, ignoring the snapshot and replayed events. */
  readonly snapshotPointsFromStreamStart?: boolean;
  /** Attaches a snapshot to every reply, with events or not. */
  readonly snapshotsEveryReply?: boolean;
  /** Answers ready() with this instead of its true spec (fields not given stay true). */
  readonly describesItselfAs?: Partial<EntitySpec>;
}

export interface RawModelEntityOptions {
  readonly host?: string;
  readonly port?: number;
  readonly snapshotEvery?: number;
  readonly faults?: ModelEntityFaults;
}

export interface RunningUserFunction {
  readonly host: string;
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

const modelPackage = "lightbend.serverless.tck.model";

/**
 * The TCK model entity written directly on the protocol (no support library):
 * the kit's own known-good subject, and, with faults, its known-bad ones.
 */
export async function startRawModelEntity(options: RawModelEntityOptions = {}): Promise<RunningUserFunction> {
  const subject = new ModelEntitySubject();
  const snapshotEvery = options.snapshotEvery ?? 5;
  const faults: ModelEntityFaults = options.faults ?? {};
  const spec: EntitySpec = {
    proto: fileDescriptorOf(subject.root, "tck/model.proto", ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]),
    serviceName: subject.serviceName,
    persistenceId: subject.persistenceId,
    ...faults.describesItselfAs,
  };
  const requestType = subject.root.lookupType(`${modelPackage}.Request`);
  const compositeType = subject.root.lookupType(`${modelPackage}.CompositeRequest`);
  const appendedType = subject.root.lookupType(`${modelPackage}.Appended`);
  const stateType = subject.root.lookupType(`${modelPackage}.State`);

  const server = new grpc.Server();
  server.addService(entityServiceDefinition, {
    ready: (_call: grpc.ServerUnaryCall<unknown, EntitySpec>, callback: grpc.sendUnaryData<EntitySpec>) => callback(null, spec),
    handle: (call: grpc.ServerDuplexStream<StreamIn, StreamOut>) => {
      let initialised = false;
      let state = "";
      let sequence = 0;
      let emittedOnStream = 0;
      let hung = false;
      let ended = false;
      const endWithError = (details: string) => {
        if (ended) return;
        ended = true;
        call.emit("error", { code: grpc.status.FAILED_PRECONDITION, details });
      };
      const answer = (message: StreamOut) => {
        if (ended) return;
        call.write(message);
        if (faults.answersTwice) call.write(message);
      };
      const fail = (commandId: number, description: string) =>
        answer({ case: "failure", commandId: faults.wrongCommandIds ? commandId + 1 : commandId, description });

      call.on("data", (message: StreamIn) => {
        if (ended) return;
        switch (message.case) {
          case "init": {
            if (initialised) return endWithError("second Init on one stream");
            initialised = true;
            if (message.snapshot) {
              sequence = message.snapshot.sequence;
              const snapshot = message.snapshot.payload;
              if (!snapshot || typeNameOf(snapshot.typeUrl) !== `${modelPackage}.State`) {
                return endWithError(`snapshot of unknown type ${snapshot?.typeUrl ?? "(none)"}`);
              }
              if (!faults.ignoresSnapshot) state = (stateType.decode(snapshot.value) as unknown as { value: string }).value;
            }
            return;
          }
          case "event": {
            if (!initialised) return endWithError("Event before Init");
            const payload = message.payload;
            if (!payload || typeNameOf(payload.typeUrl) !== `${modelPackage}.Appended`) {
              return endWithError(`event of unknown type ${payload?.typeUrl ?? "(none)"}`);
            }
            sequence = message.sequence;
            state += (appendedType.decode(payload.value) as unknown as { value: string }).value;
            return;
          }
          case "command": {
            if (!initialised) return endWithError("Command before Init");
            if (message.id === faults.crashesOnCommandId) {
              server.forceShutdown();
              return;
            }
            if (message.id === faults.closesStreamOnCommandId) {
              ended = true;
              call.end();
              return;
            }
            if (hung || (faults.hangsOnCommandId !== undefined && message.id >= faults.hangsOnCommandId)) {
              hung = true;
              return;
            }
            const type = message.name === "ProcessComposite" ? compositeType : requestType;
            if (!["Process", "ProcessEmpty", "ProcessComposite", "ProcessStream"].includes(message.name)) {
              return fail(message.id, `unknown command ${message.name}`);
            }
            let actions: Array<Record<string, { value?: string; description?: string; message?: string } | undefined>>;
            try {
              const decoded = type.toObject(type.decode(message.payload?.value ?? new Uint8Array(0)), { defaults: true });
              actions = decoded["actions"] as typeof actions;
            } catch (error) {
              return fail(message.id, `undecodable ${message.name} payload: ${(error as Error).message}`);
            }
            const emitted: string[] = [];
            let responseMessage = "";
            for (const action of actions) {
              if (action["emit"]) emitted.push(action["emit"].value ?? "");
              else if (action["fail"]) return fail(message.id, action["fail"].description ?? "");
              else if (action["respond"]) responseMessage = action["respond"].message ?? "";
              else if (action["throw"]) return fail(message.id, `handler threw: ${action["throw"].message ?? ""}`);
            }
            const after = state + emitted.join("");
            let crossesSnapshotPoint = faults.snapshotsEveryReply === true;
            const counted = faults.snapshotPointsFromStreamStart ? emittedOnStream : sequence;
            for (let i = 1; i <= emitted.length; i++) if ((counted + i) % snapshotEvery === 0) crossesSnapshotPoint = true;
            sequence += emitted.length;
            emittedOnStream += emitted.length;
            if (!faults.doesNotApplyOwnEvents) state = after;
            const any = (name: string, bytes: Uint8Array): AnyPayload => ({ typeUrl: typeUrlOf(name), value: bytes });
            const payload =
              message.name === "ProcessEmpty"
                ? any("google.protobuf.Empty", new Uint8Array(0))
                : any(`${modelPackage}.Response`, responseBytes(subject, after, responseMessage));
            answer({
              case: "reply",
              commandId: faults.wrongCommandIds ? message.id + 1 : message.id,
              payload,
              events: emitted.map((value) => any(`${modelPackage}.Appended`, appendedType.encode({ value }).finish())),
              snapshot: crossesSnapshotPoint ? any(`${modelPackage}.State`, stateType.encode({ value: after }).finish()) : undefined,
            });
            return;
          }
          case undefined:
            return endWithError("EntityStreamIn with no message set");
        }
      });
      call.on("end", () => {
        if (!ended) {
          ended = true;
          call.end();
        }
      });
      call.on("error", () => {
        ended = true;
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host ?? "127.0.0.1"}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const host = options.host ?? "127.0.0.1";
  return {
    host,
    port,
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Hung streams never finish on their own: force them after a short grace.
        const force = setTimeout(() => server.forceShutdown(), 500);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function responseBytes(subject: ModelEntitySubject, state: string, message: string): Uint8Array {
  const type = subject.root.lookupType(`${modelPackage}.Response`);
  return type.encode(type.fromObject({ state, message })).finish();
}
