import * as grpc from "@grpc/grpc-js";
import {
  entityServiceDefinition,
  typeNameOf,
  type AnyPayload,
  type EntitySpec,
  type StreamIn,
  type StreamOut,
} from "../../../../reference/protocol/index.js";
import type { EntityBehaviour } from "../instrumented-user-function/index.js";

/**
 * Deliberate defects, one per broken user function of the self-tests. Each is
 * a mistake a real support library could make.
 */
export interface UserFunctionFaults {
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
  /** Ends the stream with this status instead of sending a Failure (UNAVAILABLE passes for a crash, not a verdict). */
  readonly endsStreamInsteadOfFailureWith?: number;
  /** Counts snapshot points from the events this stream emitted, ignoring the snapshot and replayed events. */
  readonly snapshotPointsFromStreamStart?: boolean;
  /** Attaches a snapshot to every reply, with events or not. */
  readonly snapshotsEveryReply?: boolean;
  /** Completes its stream (status OK) on a command whose name is none of its service's methods, instead of a Failure. */
  readonly endsStreamOnUnknownCommand?: boolean;
  /** Emits events and snapshots whose Any type url is the bare message name, without `type.googleapis.com/`. */
  readonly typeUrlsWithoutPrefix?: boolean;
  /**
   * Answers a throwing handler (the model entity's `throw`) with a Failure, then ends the stream with
   * an error status when the next message arrives: the end reaches the kit only after it sent its next command.
   */
  readonly endsStreamAfterThrowFailure?: boolean;
  /** Applies every replayed Event twice (its own emitted events once). */
  readonly appliesReplayedEventsTwice?: boolean;
  /** Runs a Command whatever its entity id and its command id (no B8 check). */
  readonly acceptsForeignCommands?: boolean;
  /** Answers every command with a Failure carrying this description (the self-tests choose the text, e.g. markup for the report's escaping). */
  readonly failsEveryCommandWith?: string;
  /** Answers ready() with this instead of its true spec (fields not given stay true). */
  readonly describesItselfAs?: Partial<EntitySpec>;
}

/** What the raw session needs of a subject: its true spec, its behaviour, its method names. */
export interface RawSubject {
  readonly spec: EntitySpec;
  readonly commandNames: readonly string[];
  createBehaviour(): EntityBehaviour;
}

export interface RawUserFunctionOptions {
  readonly host?: string;
  readonly port?: number;
  readonly snapshotEvery?: number;
  readonly faults?: UserFunctionFaults;
}

export interface RunningUserFunction {
  readonly host: string;
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

/**
 * A subject written directly on the protocol (no support library): the kit's
 * own known-good user function, and, with faults, its known-bad ones. The
 * entity itself (state, events, commands) is the subject's behaviour; the
 * faults are in how this session around it uses it.
 */
export async function startRawUserFunction(subject: RawSubject, options: RawUserFunctionOptions = {}): Promise<RunningUserFunction> {
  const snapshotEvery = options.snapshotEvery ?? 5;
  const faults: UserFunctionFaults = options.faults ?? {};
  const spec: EntitySpec = { ...subject.spec, ...faults.describesItselfAs };
  const wireAny = (payload: AnyPayload): AnyPayload =>
    faults.typeUrlsWithoutPrefix ? { ...payload, typeUrl: typeNameOf(payload.typeUrl) } : payload;

  const server = new grpc.Server({ "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 });
  server.addService(entityServiceDefinition, {
    ready: (_call: grpc.ServerUnaryCall<unknown, EntitySpec>, callback: grpc.sendUnaryData<EntitySpec>) => callback(null, spec),
    handle: (call: grpc.ServerDuplexStream<StreamIn, StreamOut>) => {
      let entity: EntityBehaviour | undefined;
      let entityId = "";
      let lastCommandId = 0;
      let sequence = 0;
      let emittedOnStream = 0;
      let hung = false;
      let ended = false;
      let endOnNextMessage = false;
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
      const fail = (commandId: number, description: string) => {
        if (faults.endsStreamInsteadOfFailureWith !== undefined && !ended) {
          ended = true;
          call.emit("error", { code: faults.endsStreamInsteadOfFailureWith, details: description });
          return;
        }
        answer({ case: "failure", commandId: faults.wrongCommandIds ? commandId + 1 : commandId, description });
        if (faults.endsStreamAfterThrowFailure && description.startsWith("handler threw")) endOnNextMessage = true;
      };

      call.on("data", (message: StreamIn) => {
        if (ended) return;
        if (endOnNextMessage) return endWithError("ended after the Failure for a throwing handler");
        switch (message.case) {
          case "init": {
            if (entity) return endWithError("second Init on one stream");
            entity = subject.createBehaviour();
            entityId = message.entityId;
            if (message.snapshot) {
              sequence = message.snapshot.sequence;
              if (!message.snapshot.payload) return endWithError("snapshot offer without a payload");
              try {
                entity.restore(message.snapshot.payload);
              } catch (error) {
                return endWithError(`unusable snapshot: ${(error as Error).message}`);
              }
              // Checked like any snapshot, then forgotten.
              if (faults.ignoresSnapshot) entity = subject.createBehaviour();
            }
            return;
          }
          case "event": {
            if (!entity) return endWithError("Event before Init");
            if (!message.payload) return endWithError(`Event ${message.sequence} without a payload`);
            sequence = message.sequence;
            try {
              entity.apply(message.payload);
              if (faults.appliesReplayedEventsTwice) entity.apply(message.payload);
            } catch (error) {
              return endWithError(`unusable event ${message.sequence}: ${(error as Error).message}`);
            }
            return;
          }
          case "command": {
            if (!entity) return endWithError("Command before Init");
            if (!faults.acceptsForeignCommands) {
              if (message.entityId !== entityId)
                return endWithError(`Command for entity ${JSON.stringify(message.entityId)} on the stream of ${JSON.stringify(entityId)}`);
              if (message.id <= lastCommandId)
                return endWithError(`command id ${message.id} does not increase (previous ${lastCommandId})`);
            }
            lastCommandId = message.id;
            if (message.id === faults.crashesOnCommandId) {
              server.forceShutdown();
              return;
            }
            if (message.id === faults.closesStreamOnCommandId) {
              ended = true;
              call.end();
              return;
            }
            if (faults.endsStreamOnUnknownCommand && !subject.commandNames.includes(message.name)) {
              ended = true;
              call.end();
              return;
            }
            if (hung || (faults.hangsOnCommandId !== undefined && message.id >= faults.hangsOnCommandId)) {
              hung = true;
              return;
            }
            if (faults.failsEveryCommandWith !== undefined) return fail(message.id, faults.failsEveryCommandWith);
            const outcome = entity.decide(message.name, message.payload);
            if (outcome.kind === "failure") return fail(message.id, outcome.description);
            const emitted = outcome.events.length;
            let crossesSnapshotPoint = faults.snapshotsEveryReply === true;
            const counted = faults.snapshotPointsFromStreamStart ? emittedOnStream : sequence;
            for (let i = 1; i <= emitted; i++) if ((counted + i) % snapshotEvery === 0) crossesSnapshotPoint = true;
            sequence += emitted;
            emittedOnStream += emitted;
            const before = entity.snapshot();
            for (const event of outcome.events) entity.apply(event);
            const snapshot = crossesSnapshotPoint ? wireAny(entity.snapshot()) : undefined;
            // Replies (and snapshots) as if it applied its events, then goes back.
            if (faults.doesNotApplyOwnEvents) entity.restore(before);
            answer({
              case: "reply",
              commandId: faults.wrongCommandIds ? message.id + 1 : message.id,
              payload: outcome.payload,
              events: outcome.events.map(wireAny),
              snapshot,
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
