import type { AnyPayload, SnapshotOffer, StreamIn, StreamOut } from "../protocol/index.js";
import { CommandFailure } from "./command-failure.js";
import type { CommandContext, ProtoObject } from "./entity-definition.js";
import type { EventSourcedEntity } from "./event-sourced-entity.js";
import { ProtocolViolation } from "./protocol-violation.js";

/** What the stream does after one inbound message. */
export type SessionStep =
  /** Send these (possibly none) and keep reading. */
  | { readonly kind: "continue"; readonly send: readonly StreamOut[] }
  /** End the stream with an error status; the session accepts nothing more. */
  | { readonly kind: "violation"; readonly violation: ProtocolViolation };

/**
 * The protocol for one `handle` stream, without IO: feed it each inbound
 * message and do what the returned step says. Messages are processed one at
 * a time in arrival order, even if `receive` is called again before an
 * earlier call settles, so answers keep command order. `receive` never
 * rejects: user code errors become Failures or violations.
 */
export interface EntitySession {
  receive(message: StreamIn): Promise<SessionStep>;
  /**
   * The same as `receive`, at once, for a message that needs no waiting (Init, Event) when no
   * earlier message is still being processed; undefined otherwise (then use `receive`). Replay
   * takes this path: no promise per event.
   */
  receiveNow(message: StreamIn): SessionStep | undefined;
  /** The entity id from Init; undefined before it. */
  readonly entityId: string | undefined;
}

export function createEntitySession<State>(entity: EventSourcedEntity<State>): EntitySession {
  return new EntitySessionImpl(entity);
}

type Phase = "awaiting-init" | "replaying" | "handling-commands" | "failed";

const nothing: SessionStep = { kind: "continue", send: [] };

class EntitySessionImpl<State> implements EntitySession {
  private phase: Phase = "awaiting-init";
  private id: string | undefined;
  private state: State | undefined;
  /** Sequence number of the last event applied (from the snapshot, replay, or this stream's replies). */
  private sequence = 0;
  /** Id of the last command on this stream (0 before the first). */
  private lastCommandId = 0;
  private violation: ProtocolViolation | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  /** Messages given to `receive` and not yet fully processed. */
  private pending = 0;

  constructor(private readonly entity: EventSourcedEntity<State>) {}

  get entityId(): string | undefined {
    return this.id;
  }

  receive(message: StreamIn): Promise<SessionStep> {
    this.pending++;
    const step = this.tail.then(() => this.process(message));
    this.tail = step;
    return step;
  }

  receiveNow(message: StreamIn): SessionStep | undefined {
    if (this.pending > 0 || (message.case !== "init" && message.case !== "event")) return undefined;
    return this.processNow(message);
  }

  private async process(message: StreamIn): Promise<SessionStep> {
    try {
      if (message.case !== "command" || this.violation) return this.processNow(message);
      try {
        this.checkCommandOrder(message.entityId, message.id);
        return { kind: "continue", send: [await this.command(message.id, message.name, message.payload)] };
      } catch (error) {
        return this.fail(error);
      }
    } finally {
      this.pending--;
    }
  }

  /** Every message but a valid Command: processed with no await. */
  private processNow(message: StreamIn): SessionStep {
    if (this.violation) return { kind: "violation", violation: this.violation };
    try {
      switch (message.case) {
        case "init":
          this.init(message.entityId, message.snapshot);
          return nothing;
        case "event":
          this.replay(message.sequence, message.payload);
          return nothing;
        case "command":
          throw new Error("a Command is processed by process()");
        case undefined:
          throw new ProtocolViolation("invalid-argument", "EntityStreamIn without a message case (init, event or command)");
      }
    } catch (error) {
      return this.fail(error);
    }
  }

  private fail(error: unknown): SessionStep {
    this.phase = "failed";
    this.violation =
      error instanceof ProtocolViolation
        ? error
        : new ProtocolViolation("internal", `entity ${this.id ?? "?"} cannot continue: ${messageOf(error)}`);
    return { kind: "violation", violation: this.violation };
  }

  private init(entityId: string, offer: SnapshotOffer | undefined): void {
    if (this.phase !== "awaiting-init") throw new ProtocolViolation("failed-precondition", "a second Init on the same stream");
    this.id = entityId;
    this.phase = "replaying";
    if (!offer) {
      this.state = this.entity.initialState(entityId);
      return;
    }
    const { sequence, payload: snapshot } = offer;
    if (!snapshot) throw new ProtocolViolation("invalid-argument", `Init snapshot at sequence ${sequence} has no payload`);
    if (sequence < 0) throw new ProtocolViolation("invalid-argument", `Init snapshot has a negative sequence ${sequence}`);
    try {
      this.state = this.entity.decodeSnapshot(snapshot);
    } catch (error) {
      throw new ProtocolViolation("invalid-argument", `cannot use the Init snapshot: ${messageOf(error)}`);
    }
    this.sequence = sequence;
  }

  private replay(sequence: number, payload: AnyPayload | undefined): void {
    if (this.phase === "awaiting-init") throw new ProtocolViolation("failed-precondition", "an Event before Init");
    if (this.phase !== "replaying") throw new ProtocolViolation("failed-precondition", "an Event after the first Command");
    if (sequence !== this.sequence + 1) {
      throw new ProtocolViolation("invalid-argument", `Event sequence ${sequence} does not follow ${this.sequence}`);
    }
    if (!payload) throw new ProtocolViolation("invalid-argument", `Event ${sequence} has no payload`);
    let decoded;
    try {
      decoded = this.entity.decodeEvent(payload);
    } catch (error) {
      throw new ProtocolViolation("invalid-argument", `cannot replay event ${sequence}: ${messageOf(error)}`);
    }
    try {
      this.state = this.apply(this.current(), decoded.fullName, decoded.simpleName, decoded.message);
    } catch (error) {
      if (error instanceof MissingEventHandler)
        throw new ProtocolViolation("invalid-argument", `cannot replay event ${sequence}: ${error.message}`);
      throw error;
    }
    this.sequence = sequence;
  }

  /** B8: every Command is for Init's entity, and command ids increase along the stream. */
  private checkCommandOrder(entityId: string, commandId: number): void {
    if (this.phase === "awaiting-init") return; // command() reports "a Command before Init"
    if (entityId !== this.id) {
      throw new ProtocolViolation(
        "failed-precondition",
        `a Command for entity ${JSON.stringify(entityId)} on the stream of ${JSON.stringify(this.id)}`,
      );
    }
    if (commandId <= this.lastCommandId) {
      throw new ProtocolViolation(
        "failed-precondition",
        `command id ${commandId} does not increase (the previous command was ${this.lastCommandId})`,
      );
    }
    this.lastCommandId = commandId;
  }

  private async command(commandId: number, name: string, payload: AnyPayload | undefined): Promise<StreamOut> {
    if (this.phase === "awaiting-init") throw new ProtocolViolation("failed-precondition", "a Command before Init");
    this.phase = "handling-commands";
    const method = this.entity.methods.get(name);
    if (!method) return failureOf(commandId, `Unknown command ${name} for ${this.entity.serviceName}`);
    const before = this.current();
    let handler;
    try {
      handler = ownHandler(this.entity.behavior(before).commandHandlers, name);
    } catch (error) {
      return failureOf(commandId, `${name} failed: ${messageOf(error)}`);
    }
    if (!handler) return failureOf(commandId, `No handler for command ${name} in the entity's current behavior`);
    let command: ProtoObject;
    try {
      command = method.decodeCommand(payload);
    } catch (error) {
      return failureOf(commandId, `Cannot decode the ${name} payload as ${method.inputType}: ${messageOf(error)}`);
    }
    const context = new CommandContextImpl(this.entity, this.id ?? "", commandId, name, before, this);
    let reply: StreamOut;
    try {
      const result: unknown = await handler(command, before, context);
      context.close();
      reply = {
        case: "reply",
        commandId,
        payload: method.encodeReply(result),
        events: context.events,
        snapshot: this.snapshotFor(context.events.length, context.state),
      };
    } catch (error) {
      context.close();
      if (error instanceof CommandFailure) return failureOf(commandId, error.description);
      return failureOf(commandId, `${name} failed: ${messageOf(error)}`);
    }
    // Only a command that succeeded moves the entity on.
    this.state = context.state;
    this.sequence += context.events.length;
    return reply;
  }

  /** A snapshot when one of the next `eventCount` sequence numbers is a multiple of N. */
  private snapshotFor(eventCount: number, state: State): AnyPayload | undefined {
    const every = this.entity.snapshotEvery;
    if (every === 0 || eventCount === 0) return undefined;
    const last = this.sequence + eventCount;
    return Math.floor(last / every) > Math.floor(this.sequence / every) ? this.entity.encodeSnapshot(state) : undefined;
  }

  /** Applies one event through the behavior of the given state. Used for replay and for emitted events. */
  apply(state: State, fullName: string, simpleName: string, event: ProtoObject): State {
    const handlers = this.entity.behavior(state).eventHandlers;
    const handler = ownHandler(handlers, fullName) ?? ownHandler(handlers, simpleName);
    if (!handler) throw new MissingEventHandler(`no event handler for ${fullName} in the entity's current behavior`);
    const next = handler(event, state);
    return next === undefined ? state : next;
  }

  private current(): State {
    if (this.state === undefined) throw new ProtocolViolation("failed-precondition", "no state before Init");
    return this.state;
  }
}

class CommandContextImpl<State> implements CommandContext<State> {
  readonly events: AnyPayload[] = [];
  private working: State;
  private copied = false;
  private active = true;

  constructor(
    private readonly entity: EventSourcedEntity<State>,
    readonly entityId: string,
    readonly commandId: number,
    readonly commandName: string,
    state: State,
    private readonly session: EntitySessionImpl<State>,
  ) {
    this.working = state;
  }

  get state(): State {
    return this.working;
  }

  emit(eventType: string, event: ProtoObject): void {
    this.ensureActive("emit");
    const payload = this.entity.encodeEvent(eventType, event);
    // The handler sees the event as replay will: decoded from the bytes that get persisted.
    const decoded = this.entity.decodeEvent(payload);
    if (!this.copied) {
      // Event handlers may mutate; work on a copy (through the snapshot format) so a failure leaves the state as it was.
      this.working = this.entity.decodeSnapshot(this.entity.encodeSnapshot(this.working));
      this.copied = true;
    }
    this.working = this.session.apply(this.working, decoded.fullName, decoded.simpleName, decoded.message);
    this.events.push(payload);
  }

  fail(description: string): never {
    this.ensureActive("fail");
    throw new CommandFailure(description);
  }

  close(): void {
    this.active = false;
  }

  private ensureActive(what: string): void {
    if (!this.active) throw new Error(`${what}() called after command ${this.commandId} (${this.commandName}) completed`);
  }
}

/** An event type the entity's behavior has no handler for: bad input during replay, a failed command when emitted. */
class MissingEventHandler extends Error {
  override readonly name = "MissingEventHandler";
}

/** Only the handler object's own entries count (a method named `toString` must not find Object's). */
function ownHandler<H>(handlers: Readonly<Record<string, H>>, key: string): H | undefined {
  return Object.hasOwn(handlers, key) ? handlers[key] : undefined;
}

/** A module function, not a closure per command (under tsx each named closure costs a defineProperty). */
function failureOf(commandId: number, description: string): StreamOut {
  return { case: "failure", commandId, description };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
