import { encodeStreamOut, type StreamIn, type StreamOut } from "../../../reference/protocol/index.js";
import { createFaultOracle, type ClientCallOutcome, type FaultOracle } from "./fault-oracle.js";
import { kindsApplicableAt, type FaultDirection, type FaultKind, type FaultPlan, type PointType } from "./fault-spec.js";
import type { InvariantViolation } from "../../kit/protocol/protocol-invariants.js";

/** One fault the interceptor injected. */
export interface AppliedFault {
  readonly kind: FaultKind;
  readonly direction: FaultDirection;
  /** The interceptor's stream id (`s3`): depends on the order streams of different entities open. */
  readonly stream: string;
  readonly entityId: string;
  /** The stream's ordinal among its entity's streams, from 1. */
  readonly entityStream: number;
  /** The message's index on the stream in its direction, from 1. */
  readonly index: number;
  /** What crossed: `Reply to 3 (1 event)`, `half-close`. */
  readonly what: string;
  readonly delayMs?: number;
  /** `random` (under the seed) or the named point, as written. */
  readonly by: string;
}

/**
 * A fault as a line: the same for the same seed and traffic, whatever order the entities' streams
 * interleave in (the interceptor's stream id is left out).
 */
export function describeFault(f: AppliedFault): string {
  const delay = f.delayMs !== undefined ? ` ${f.delayMs} ms` : "";
  return `${f.kind}${delay} ${f.direction} ${f.what} (${f.entityId} stream ${f.entityStream}, message ${f.index}; ${f.by})`;
}

/** What the interceptor lets the faults of one stream do. */
export interface StreamFaultHooks {
  readonly streamId: string;
  /** Writes to the user function. */
  readonly toUserFunction: (bytes: Buffer) => void;
  /** Writes to the backend; false when that side is gone (nothing written). */
  readonly toBackend: (bytes: Buffer) => boolean;
  /** Resets the stream: the backend gets UNAVAILABLE, the user function a cancel. */
  readonly reset: (why: string) => void;
  /** Records a transcript line (a fault, an absorbed answer). */
  readonly note: (text: string) => void;
  /** Reports oracle violations on this stream. */
  readonly report: (violations: InvariantViolation[]) => void;
}

/** The faults of one stream: everything that crosses goes through here. */
export interface StreamFaults {
  /** A message from the backend (decoded when it decodes), to forward to the user function. */
  toUserFunction(bytes: Buffer, message: StreamIn | undefined): void;
  /** True when the user function's message answers a command only a fault duplicated: not forwarded, not judged. */
  absorbs(message: StreamOut | undefined): boolean;
  /** A message from the user function, to forward to the backend. */
  toBackend(bytes: Buffer, message: StreamOut | undefined): void;
  /** The backend's half-close, to forward (`forward`) to the user function. */
  halfClose(forward: () => void): void;
  /** The user function's end status, to forward after what is queued toward the backend. */
  statusToBackend(forward: () => void): void;
  /** True once a fault reset this stream (it ends `reset-by-fault`). */
  readonly wasReset: boolean;
  /**
   * True once any fault hit this stream (a live check that judges timing, e.g. "every command
   * answered within a bound", must not blame the user function for a dropped Command or Reply).
   */
  readonly faulted: boolean;
  /** The stream ended (`completed`: cleanly, the backend's half-close first): queued messages are dropped. */
  ended(completed: boolean): void;
}

export interface FaultInjector {
  readonly plan: FaultPlan;
  stream(hooks: StreamFaultHooks): StreamFaults;
  /** Every fault injected so far, in the order injected. */
  applied(): readonly AppliedFault[];
  /** Tells the oracle how a client call ended (tests that drive a client call this). */
  clientCall(call: ClientCallOutcome): InvariantViolation[];
  /** Client calls that broke the oracle, so far. */
  clientViolations(): readonly InvariantViolation[];
}

/** The command id of every stray Reply: a backend never gets that far on one stream. */
export const strayCommandId = 2 ** 31 - 1;

export interface FaultInjectorHooks {
  /** After a `reset-connection` reset every open stream: the interceptor closes its connection to the user function. */
  readonly connectionReset?: () => void;
}

export function createFaultInjector(plan: FaultPlan, hooks: FaultInjectorHooks = {}): FaultInjector {
  const applied: AppliedFault[] = [];
  const oracle = createFaultOracle();
  const live = new Set<StreamFaultsImpl>();
  const entityStreams = new Map<string, number>();
  /** Per direction and message type (and "any"): how many crossed so far, for named points. */
  const counts = new Map<string, number>();
  const injector: InjectorInternals = {
    plan,
    oracle,
    live,
    nextEntityStream: (entityId) => {
      const n = (entityStreams.get(entityId) ?? 0) + 1;
      entityStreams.set(entityId, n);
      return n;
    },
    decide: (point) => decide(plan, counts, point),
    applied: (fault) => applied.push(fault),
    connectionReset: () => hooks.connectionReset?.(),
  };
  return {
    plan,
    stream: (hooks) => new StreamFaultsImpl(injector, hooks),
    applied: () => [...applied],
    clientCall: (call) => oracle.clientCall(call),
    clientViolations: () => oracle.clientViolations(),
  };
}

interface Point {
  readonly direction: FaultDirection;
  readonly type: PointType | undefined;
  readonly entityId: string;
  readonly entityStream: number;
  readonly index: number;
}

interface Decision {
  readonly kind: FaultKind;
  readonly delayMs?: number;
  readonly by: string;
}

interface InjectorInternals {
  readonly plan: FaultPlan;
  readonly oracle: FaultOracle;
  readonly live: Set<StreamFaultsImpl>;
  nextEntityStream(entityId: string): number;
  decide(point: Point): Decision | undefined;
  applied(fault: AppliedFault): void;
  connectionReset(): void;
}

function decide(plan: FaultPlan, counts: Map<string, number>, point: Point): Decision | undefined {
  const count = (key: string) => {
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n;
  };
  const nthOfType = point.type ? count(`${point.direction}/${point.type}`) : 0;
  const nthAny = point.type !== "half-close" ? count(`${point.direction}/any`) : 0;
  for (const p of plan.points) {
    if (p.direction !== point.direction) continue;
    const hit =
      p.message === "any" ? point.type !== "half-close" && nthAny === p.ordinal : p.message === point.type && nthOfType === p.ordinal;
    if (!hit) continue;
    if (point.type && !kindsApplicableAt(point.type).includes(p.kind)) continue;
    const by = [p.kind, p.direction, p.message, p.ordinal, ...(p.delayMs !== undefined ? [p.delayMs] : [])].join(":");
    return p.kind === "delay" ? { kind: p.kind, delayMs: p.delayMs ?? plan.maxDelayMs, by } : { kind: p.kind, by };
  }
  if (plan.rate <= 0 || !point.type) return undefined;
  const random = prng(hash(`${plan.seed}|${point.entityId}|${point.entityStream}|${point.direction}|${point.index}`));
  if (random() >= plan.rate) return undefined;
  const kinds = plan.kinds.filter((k) => kindsApplicableAt(point.type!).includes(k));
  if (kinds.length === 0) return undefined;
  const kind = kinds[Math.floor(random() * kinds.length)]!;
  return kind === "delay" ? { kind, delayMs: 1 + Math.floor(random() * plan.maxDelayMs), by: "random" } : { kind, by: "random" };
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small seeded PRNG, numbers in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keeps the order of one direction of one stream while a delay holds its head back. */
class DirectionQueue {
  private readonly items: { run: () => void; delayMs: number; gate?: { open: boolean } }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dead = false;

  push(run: () => void, delayMs = 0, gate?: { open: boolean }): void {
    if (this.dead) return;
    this.items.push({ run, delayMs, ...(gate ? { gate } : {}) });
    if (!this.timer) this.drain();
  }

  private drain(): void {
    while (this.items.length > 0 && !this.dead) {
      const head = this.items[0]!;
      if (head.gate && !head.gate.open) return;
      if (head.delayMs > 0) {
        const ms = head.delayMs;
        head.delayMs = 0;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain();
        }, ms);
        return;
      }
      this.items.shift();
      head.run();
    }
  }

  /** Holds everything pushed after this until the returned function is called. */
  gate(): () => void {
    const gate = { open: false };
    this.push(() => {}, 0, gate);
    return () => {
      if (gate.open) return;
      gate.open = true;
      if (!this.timer) this.drain();
    };
  }

  stop(): void {
    this.dead = true;
    this.items.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

class StreamFaultsImpl implements StreamFaults {
  private entityId = "?";
  private entityStream = 0;
  private readonly index: Record<FaultDirection, number> = { "backend-to-uf": 0, "uf-to-backend": 0 };
  private readonly queues: Record<FaultDirection, DirectionQueue> = {
    "backend-to-uf": new DirectionQueue(),
    "uf-to-backend": new DirectionQueue(),
  };
  /**
   * Commands a fault sends twice: the copy goes once the user function answered the original (sent
   * together, the user function's reaction to the copy would race its own handler of the original),
   * and the answer to the copy is absorbed.
   */
  private readonly duplicated = new Map<number, { copy: (() => void) | undefined }>();
  /**
   * While the user function has the copy of a duplicated command: the original's answer waits, so the
   * backend moves on only once the user function reacted to the copy (answered it, or ended the stream).
   */
  private releaseAnswer: (() => void) | undefined;
  private reset = false;
  private over = false;
  private hit = false;

  constructor(
    private readonly injector: InjectorInternals,
    private readonly hooks: StreamFaultHooks,
  ) {
    injector.live.add(this);
  }

  get wasReset(): boolean {
    return this.reset;
  }

  get faulted(): boolean {
    return this.hit || this.reset;
  }

  toUserFunction(bytes: Buffer, message: StreamIn | undefined): void {
    if (message?.case === "init") {
      this.entityId = message.entityId;
      this.entityStream = this.injector.nextEntityStream(message.entityId);
      this.injector.oracle.init(this.hooks.streamId, message.entityId, message.snapshot?.sequence);
    } else if (message?.case === "event") {
      this.hooks.report(this.injector.oracle.event(this.hooks.streamId, message.sequence, message.payload));
    } else if (message?.case === "command") {
      this.hooks.report(this.injector.oracle.command(this.hooks.streamId));
    }
    const type = message?.case;
    const what = describeIn(message);
    const forward = () => this.hooks.toUserFunction(bytes);
    this.point("backend-to-uf", type, what, forward, () => {
      if (message?.case !== "command") return false;
      this.duplicated.set(message.id, { copy: forward });
      return true;
    });
  }

  absorbs(message: StreamOut | undefined): boolean {
    if (message?.case !== "reply" && message?.case !== "failure") return false;
    const duplicate = this.duplicated.get(message.commandId);
    if (duplicate === undefined) return false;
    if (duplicate.copy) {
      // The original's answer: the copy goes now, before the answer reaches the backend (so before any later command).
      const copy = duplicate.copy;
      duplicate.copy = undefined;
      this.releaseAnswer = this.queues["uf-to-backend"].gate();
      this.queues["backend-to-uf"].push(copy);
      return false;
    }
    this.duplicated.delete(message.commandId);
    this.releaseAnswer?.();
    this.releaseAnswer = undefined;
    this.hooks.note(`absorbed the user function's answer to the duplicated command ${message.commandId}: ${describeOut(message)}`);
    return true;
  }

  toBackend(bytes: Buffer, message: StreamOut | undefined): void {
    const give = () => {
      if (this.hooks.toBackend(bytes) && message?.case === "reply") this.injector.oracle.replyGiven(this.hooks.streamId, message.events);
    };
    this.point("uf-to-backend", message?.case, describeOut(message), give, undefined, () => this.hooks.toBackend(bytes));
  }

  halfClose(forward: () => void): void {
    this.point("backend-to-uf", "half-close", "half-close", forward);
  }

  statusToBackend(forward: () => void): void {
    this.releaseAnswer?.();
    this.releaseAnswer = undefined;
    this.queues["uf-to-backend"].push(forward);
  }

  ended(completed: boolean): void {
    if (this.over) return;
    this.over = true;
    this.injector.live.delete(this);
    this.queues["backend-to-uf"].stop();
    this.queues["uf-to-backend"].stop();
    this.injector.oracle.streamEnded(this.hooks.streamId, completed && !this.reset);
  }

  /** Resets the stream (a `reset` here, or a `reset-connection` anywhere). */
  resetNow(why: string): void {
    if (this.reset || this.over) return;
    this.reset = true;
    this.queues["backend-to-uf"].stop();
    this.queues["uf-to-backend"].stop();
    this.hooks.reset(why);
  }

  private point(
    direction: FaultDirection,
    type: PointType | undefined,
    what: string,
    forward: () => void,
    onDuplicate?: () => boolean,
    forwardCopy: () => void = forward,
  ): void {
    if (this.reset || this.over) return;
    const index = ++this.index[direction];
    const decision = this.injector.decide({ direction, type, entityId: this.entityId, entityStream: this.entityStream, index });
    const queue = this.queues[direction];
    if (!decision) {
      queue.push(forward);
      return;
    }
    const fault: AppliedFault = {
      kind: decision.kind,
      direction,
      stream: this.hooks.streamId,
      entityId: this.entityId,
      entityStream: this.entityStream,
      index,
      what,
      by: decision.by,
      ...(decision.delayMs !== undefined ? { delayMs: decision.delayMs } : {}),
    };
    this.injector.applied(fault);
    this.hit = true;
    this.hooks.note(`fault injected: ${describeFault(fault)}`);
    switch (decision.kind) {
      case "delay":
        queue.push(forward, decision.delayMs);
        return;
      case "drop":
      case "hold":
        return;
      case "duplicate":
        queue.push(forward);
        // A command's copy waits for the original's answer (see `duplicated`).
        if (!onDuplicate?.()) queue.push(forwardCopy);
        return;
      case "reset":
        this.resetNow(`stream reset by tck intercept --faults (${describeFault(fault)})`);
        return;
      case "reset-connection":
        for (const stream of [...this.injector.live])
          stream.resetNow(`connection reset by tck intercept --faults (${describeFault(fault)})`);
        this.injector.connectionReset();
        return;
      case "stray": {
        queue.push(forward);
        const stray = Buffer.from(
          encodeStreamOut({ case: "reply", commandId: strayCommandId, payload: undefined, events: [], snapshot: undefined }),
        );
        this.queues["uf-to-backend"].push(() => void this.hooks.toBackend(stray));
        return;
      }
    }
  }
}

function describeIn(message: StreamIn | undefined): string {
  switch (message?.case) {
    case "init":
      return `Init for ${message.entityId}${message.snapshot ? ` (snapshot at ${message.snapshot.sequence})` : ""}`;
    case "event":
      return `Event ${message.sequence}`;
    case "command":
      return `Command ${message.id} ${message.name}`;
    default:
      return "an undecodable or empty message";
  }
}

function describeOut(message: StreamOut | undefined): string {
  switch (message?.case) {
    case "reply":
      return `Reply to ${message.commandId} (${message.events.length} event(s))`;
    case "failure":
      return `Failure of ${message.commandId}`;
    default:
      return "an undecodable or empty message";
  }
}
