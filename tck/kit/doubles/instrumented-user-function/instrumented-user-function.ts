import * as grpc from "@grpc/grpc-js";
import {
  entityServiceDefinition,
  typeNameOf,
  typeUrlOf,
  type AnyPayload,
  type EntitySpec,
  type StreamIn,
  type StreamOut,
} from "../../../../reference/protocol/index.js";
import type { EntityBehaviour } from "./entity-behaviour.js";
import type { UserFunctionFaults } from "./faults.js";
import type { Hold, Misbehaviour } from "./misbehaviour.js";
import { freePort } from "./free-port.js";
import { subjectOf, type Subject } from "./subject.js";
import { cancelledByBackend, TrafficLog, type RecordedStream } from "./traffic-log.js";

export interface InstrumentedUserFunctionOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly subject?: Subject;
  /** Snapshot every N events (proto/tck/README.md), default 5. */
  readonly snapshotEvery?: number;
  /** Reserve the port but do not listen until `comeUp()` (A5). */
  readonly startDown?: boolean;
  /** Defects of the whole user function (the self-tests' broken user functions); none by default. */
  readonly faults?: UserFunctionFaults;
  /**
   * Ends a stream with an error on a Command for another entity or with a command id that does not
   * increase (B8), as a careful support library does. Off in backend mode, where the traffic log
   * records such a Command as the backend's violation and the entity answers it.
   */
  readonly rejectsForeignCommands?: boolean;
}

/**
 * The TCK's own user function, written on the raw protocol: serves the model
 * entity or the shopping cart, records every message the backend sends, and
 * misbehaves on instruction.
 */
export interface InstrumentedUserFunction {
  readonly host: string;
  readonly port: number;
  /** `host:port`, what a backend is pointed at. */
  readonly address: string;
  readonly traffic: TrafficLog;
  readonly subject: Subject;
  readonly isUp: boolean;
  /** What `ready()` answers from now on. */
  serve(subject: Subject): void;
  /** Overrides the snapshot interval for one entity (Infinity: never snapshot, for long replays). */
  snapshotEveryFor(entityId: string, every: number): void;
  /** Queues misbehaviour for the next commands of an entity, one per command, in order. */
  instruct(entityId: string, ...misbehaviours: Misbehaviour[]): void;
  /**
   * The next time the backend completes a stream of this entity (passivation), the user function
   * keeps its own side open for `ms` before completing it (I4: the stream still lives meanwhile).
   */
  holdOpenAfterBackendCompletes(entityId: string, ms: number): void;
  /** Starts listening (after `startDown`, or after `goDown()`). */
  comeUp(): Promise<void>;
  /** Stops listening, cutting every live stream. */
  goDown(): Promise<void>;
  /**
   * Down, but observed (A5): listens, answers every `ready()` UNAVAILABLE and records the
   * attempt (`traffic.refusedReadyCalls`), and refuses `handle` streams, until `comeUp()`.
   * A closed port would hide the backend's attempts from the kit.
   */
  goDownRefusingReady(): Promise<void>;
  close(): Promise<void>;
}

export async function startInstrumentedUserFunction(options: InstrumentedUserFunctionOptions = {}): Promise<InstrumentedUserFunction> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort(host);
  const uf = new InstrumentedUserFunctionImpl(host, port, options.subject ?? subjectOf("model"), options.snapshotEvery ?? 5, {
    faults: options.faults ?? {},
    rejectsForeignCommands: options.rejectsForeignCommands ?? false,
  });
  if (!options.startDown) await uf.comeUp();
  return uf;
}

class InstrumentedUserFunctionImpl implements InstrumentedUserFunction {
  readonly traffic = new TrafficLog();
  readonly address: string;
  #subject: Subject;
  #server: grpc.Server | undefined;
  readonly #instructions = new Map<string, Misbehaviour[]>();
  readonly #snapshotEvery = new Map<string, number>();
  readonly #holdOpen = new Map<string, number>();
  /** Listening but not up (A5): `ready()` and `handle` are refused and recorded. */
  #refusing = false;
  /** Every live stream's cleanup, so going down leaves no timer or stream behind. */
  readonly #liveStreams = new Set<() => void>();

  constructor(
    readonly host: string,
    readonly port: number,
    subject: Subject,
    private readonly snapshotEvery: number,
    private readonly session: { readonly faults: UserFunctionFaults; readonly rejectsForeignCommands: boolean },
  ) {
    this.address = `${host}:${port}`;
    this.#subject = subject;
  }

  get subject(): Subject {
    return this.#subject;
  }

  get isUp(): boolean {
    return this.#server !== undefined && !this.#refusing;
  }

  serve(subject: Subject): void {
    this.#subject = subject;
  }

  snapshotEveryFor(entityId: string, every: number): void {
    this.#snapshotEvery.set(entityId, every);
  }

  instruct(entityId: string, ...misbehaviours: Misbehaviour[]): void {
    const queue = this.#instructions.get(entityId) ?? [];
    queue.push(...misbehaviours);
    this.#instructions.set(entityId, queue);
  }

  holdOpenAfterBackendCompletes(entityId: string, ms: number): void {
    this.#holdOpen.set(entityId, ms);
  }

  async comeUp(): Promise<void> {
    this.#refusing = false;
    await this.#listen();
  }

  async #listen(): Promise<void> {
    if (this.#server) return;
    // Unlimited like the backend and support library: big payloads (snapshots, events) must not trip 4 MiB defaults.
    const server = new grpc.Server({ "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 });
    server.addService(entityServiceDefinition, {
      ready: (_call: grpc.ServerUnaryCall<unknown, EntitySpec>, callback: grpc.sendUnaryData<EntitySpec>) => {
        if (this.#refusing) {
          this.traffic.readyRefused();
          callback({ code: grpc.status.UNAVAILABLE, details: "the kit's user function is not up yet" });
          return;
        }
        this.traffic.readyCalled();
        callback(null, { ...this.#subject.spec, ...this.session.faults.describesItselfAs });
      },
      handle: (call: grpc.ServerDuplexStream<StreamIn, StreamOut>) => {
        if (!this.#refusing) return this.#handle(call);
        this.traffic.handleRefused();
        call.emit("error", { code: grpc.status.UNAVAILABLE, details: "the kit's user function is not up yet" });
      },
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`${this.host}:${this.port}`, grpc.ServerCredentials.createInsecure(), (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    this.#server = server;
  }

  async goDownRefusingReady(): Promise<void> {
    await this.goDown();
    this.#refusing = true;
    await this.#listen();
  }

  async goDown(): Promise<void> {
    this.#refusing = false;
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const cleanup of [...this.#liveStreams]) cleanup();
    server.forceShutdown();
  }

  close(): Promise<void> {
    return this.goDown();
  }

  #takeInstruction(entityId: string): Misbehaviour | undefined {
    const queue = this.#instructions.get(entityId);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.#instructions.delete(entityId);
    return next;
  }

  #handle(call: grpc.ServerDuplexStream<StreamIn, StreamOut>): void {
    const stream = this.traffic.opened();
    const subject = this.#subject;
    const { faults, rejectsForeignCommands } = this.session;
    const timers = new Set<NodeJS.Timeout>();
    let behaviour: EntityBehaviour | undefined;
    let entityId = "";
    let sequence = 0;
    let lastCommandId = 0;
    let emittedOnStream = 0;
    let hung = false;
    let endOnNextMessage = false;
    let finished = false;
    // Messages are handled one after another, also when an answer is delayed.
    let queue: Promise<void> = Promise.resolve();

    const cleanup = () => {
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      this.#liveStreams.delete(cleanup);
    };
    this.#liveStreams.add(cleanup);

    const send = (message: StreamOut) => {
      if (finished) return;
      this.traffic.sent(stream, message);
      call.write(message);
      if (faults.answersTwice) call.write(message);
    };
    const endWithStatus = (code: grpc.status, details: string) => {
      if (finished) return;
      this.traffic.ended(stream, `user function ended it: ${details}`);
      cleanup();
      call.emit("error", { code, details });
    };
    const endWithError = (details: string) => endWithStatus(grpc.status.FAILED_PRECONDITION, details);
    const wireAny = (payload: AnyPayload): AnyPayload =>
      faults.typeUrlsWithoutPrefix ? { ...payload, typeUrl: typeNameOf(payload.typeUrl) } : payload;
    const answerId = (commandId: number) => (faults.wrongCommandIds ? commandId + 1 : commandId);
    const complete = () => {
      if (finished) return;
      this.traffic.ended(stream, "completed by both sides");
      cleanup();
      call.end();
    };
    const delay = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
    const hold = async (h: Hold) => {
      if (h.until) await Promise.race([h.until, ...(h.afterMs !== undefined ? [delay(h.afterMs)] : [])]);
      else if (h.afterMs !== undefined) await delay(h.afterMs);
    };

    const onCommand = async (command: Extract<StreamIn, { case: "command" }>, entity: EntityBehaviour) => {
      if (rejectsForeignCommands && !faults.acceptsForeignCommands) {
        if (command.entityId !== entityId)
          return endWithError(`Command for entity ${JSON.stringify(command.entityId)} on the stream of ${JSON.stringify(entityId)}`);
        if (command.id <= lastCommandId) return endWithError(`command id ${command.id} does not increase (previous ${lastCommandId})`);
      }
      lastCommandId = command.id;
      if (command.id === faults.crashesOnCommandId) return this.goDown();
      if (command.id === faults.closesStreamOnCommandId) return complete();
      if (faults.endsStreamOnUnknownCommand && !subject.inputTypes.has(command.name)) return complete();
      if (hung || (faults.hangsOnCommandId !== undefined && command.id >= faults.hangsOnCommandId)) {
        hung = true;
        return;
      }
      const fail = (description: string) => {
        if (faults.endsStreamInsteadOfFailureWith !== undefined) return endWithStatus(faults.endsStreamInsteadOfFailureWith, description);
        send({ case: "failure", commandId: answerId(command.id), description });
        if (faults.endsStreamAfterThrowFailure && description.startsWith("handler threw")) endOnNextMessage = true;
      };
      if (faults.failsEveryCommandWith !== undefined) return fail(faults.failsEveryCommandWith);
      const expectedType = subject.inputTypes.get(command.name);
      if (expectedType !== undefined && command.payload?.typeUrl !== typeUrlOf(expectedType)) {
        this.traffic.violated(stream, {
          side: "backend",
          cause: `sent a ${command.name} Command whose payload is not of its method's input type`,
          item: "D5",
          rule: "the command payload's type url names the method's input type",
          expected: typeUrlOf(expectedType),
          actual: command.payload?.typeUrl ?? "no payload",
        });
      }
      const misbehaviour = this.#takeInstruction(command.entityId);
      const outcome = entity.decide(command.name, command.payload, misbehaviour?.kind === "large-events" ? misbehaviour.bytes : 0);
      let answer: StreamOut;
      if (outcome.kind === "failure") {
        if (misbehaviour === undefined) return fail(outcome.description);
        answer = { case: "failure", commandId: command.id, description: outcome.description };
      } else {
        const before = faults.doesNotApplyOwnEvents ? entity.snapshot() : undefined;
        for (const event of outcome.events) entity.apply(event);
        // Snapshot points count from the entity's sequence (or, broken, from this stream's own events).
        const counted = faults.snapshotPointsFromStreamStart ? emittedOnStream : sequence;
        sequence += outcome.events.length;
        emittedOnStream += outcome.events.length;
        const every = this.#snapshotEvery.get(command.entityId) ?? this.snapshotEvery;
        let snapshotDue = faults.snapshotsEveryReply === true;
        if (Number.isFinite(every))
          for (let s = counted + 1; s <= counted + outcome.events.length; s++) if (s % every === 0) snapshotDue = true;
        answer = {
          case: "reply",
          commandId: answerId(command.id),
          payload: outcome.payload,
          events: outcome.events.map(wireAny),
          snapshot: snapshotDue ? wireAny(entity.snapshot()) : undefined,
        };
        // Replies (and snapshots) as if it applied its events, then goes back.
        if (before !== undefined) entity.restore(before);
      }
      switch (misbehaviour?.kind) {
        case undefined:
        case "large-events":
          return send(answer);
        case "slow":
          await hold({ afterMs: misbehaviour.delayMs, ...(misbehaviour.until && { until: misbehaviour.until }) });
          return send(answer);
        case "wrong-command-id":
          await hold(misbehaviour);
          return send({ ...answer, commandId: command.id + 1000 });
        case "never-answer":
          return;
        case "end-stream":
          await hold(misbehaviour);
          return complete();
        case "error-stream":
          await hold(misbehaviour);
          return endWithError("instructed to fail the stream mid-command");
        case "snapshot-without-events":
          return send({
            case: "reply",
            commandId: command.id,
            payload: outcome.kind === "reply" ? outcome.payload : undefined,
            events: [],
            snapshot: entity.snapshot(),
          });
        case "reply-twice":
          send(answer);
          return send(answer);
        case "empty-message":
          return send({ case: undefined });
        case "failure-with-id-zero":
          return send({ case: "failure", commandId: 0, description: "instructed to answer with command id 0" });
      }
    };

    const onMessage = async (message: StreamIn) => {
      if (finished) return;
      if (endOnNextMessage) return endWithError("ended after the Failure for a throwing handler");
      switch (message.case) {
        case "init": {
          if (behaviour) return endWithError("second Init on one stream");
          behaviour = subject.createBehaviour();
          entityId = message.entityId;
          if (message.snapshot) {
            sequence = message.snapshot.sequence;
            if (!message.snapshot.payload) return endWithError("snapshot offer without a payload");
            try {
              behaviour.restore(message.snapshot.payload);
            } catch (error) {
              return endWithError(`unusable snapshot: ${(error as Error).message}`);
            }
            // Checked like any snapshot, then forgotten.
            if (faults.ignoresSnapshot) behaviour = subject.createBehaviour();
          }
          return;
        }
        case "event": {
          if (!behaviour) return endWithError("Event before Init");
          sequence = message.sequence;
          if (!message.payload) return endWithError(`Event ${message.sequence} without a payload`);
          try {
            behaviour.apply(message.payload);
            if (faults.appliesReplayedEventsTwice) behaviour.apply(message.payload);
          } catch (error) {
            return endWithError(`unusable event ${message.sequence}: ${(error as Error).message}`);
          }
          return;
        }
        case "command":
          if (!behaviour) return endWithError("Command before Init");
          return onCommand(message, behaviour);
        case undefined:
          return endWithError("EntityStreamIn with no message set");
      }
    };

    call.on("data", (message: StreamIn) => {
      this.traffic.received(stream, message);
      queue = queue.then(() => onMessage(message)).catch((error: unknown) => endWithError(`user function bug: ${String(error)}`));
    });
    call.on("end", () => {
      this.traffic.backendCompleted(stream);
      const holdMs = stream.entityId === undefined ? undefined : this.#holdOpen.get(stream.entityId);
      if (holdMs !== undefined) {
        // I4: the stream lives on (our side open) although the backend completed its side.
        this.#holdOpen.delete(stream.entityId!);
        this.traffic.heldOpen(stream, holdMs);
        queue = queue.then(() => delay(holdMs));
      }
      // Answers still being prepared go out first, then our side completes (H1).
      queue = queue.then(complete);
    });
    call.on("cancelled", () => {
      this.traffic.ended(stream, cancelledByBackend);
      cleanup();
    });
    call.on("error", () => cleanup());
  }
}
