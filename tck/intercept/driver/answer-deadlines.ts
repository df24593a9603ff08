import type { InvariantViolation } from "../../kit/protocol/protocol-invariants.js";

/** One command on its way to the user function, not yet answered. */
interface Waiting {
  readonly name: string;
  readonly since: number;
  readonly report: (violation: InvariantViolation) => void;
  timer: NodeJS.Timeout | undefined;
  reported: boolean;
}

/**
 * D3 in intercept mode: every Command that crossed to the user function is answered within a bound
 * (`--answer-timeout`). A command still unanswered when the bound passes is reported at once, with
 * its stream and the wait. A backend that gives up on the command at the same bound (its relay
 * timeout) cancels the stream a moment before the interceptor's clock gets there (it sent the
 * command a moment before the interceptor saw it): a command still unanswered when its stream ends
 * less than a tolerance before the bound (5 % of it, at least 200 ms, at most half of it) is
 * reported too.
 */
export class AnswerDeadlines {
  readonly #waiting = new Map<string, Map<number, Waiting>>();

  readonly #toleranceMs: number;

  constructor(
    readonly boundMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(Number.isFinite(boundMs) && boundMs > 0))
      throw new Error(`the answer timeout must be a positive number of milliseconds, got ${boundMs}`);
    this.#toleranceMs = Math.min(Math.max(0.05 * boundMs, 200), boundMs / 2);
  }

  /** A Command crossed to the user function; `report` records a violation on its stream. */
  commandSent(streamId: string, commandId: number, name: string, report: (violation: InvariantViolation) => void): void {
    let stream = this.#waiting.get(streamId);
    if (!stream) this.#waiting.set(streamId, (stream = new Map()));
    const waiting: Waiting = { name, since: this.clock(), report, timer: undefined, reported: false };
    waiting.timer = setTimeout(() => {
      waiting.timer = undefined;
      this.#late(streamId, commandId, waiting, `no answer after ${this.clock() - waiting.since} ms`);
    }, this.boundMs);
    waiting.timer.unref();
    stream.set(commandId, waiting);
  }

  /** The user function answered (a Reply or a Failure); an answer with an unknown id settles the oldest command. */
  answered(streamId: string, commandId: number): void {
    const stream = this.#waiting.get(streamId);
    if (!stream) return;
    const id = stream.has(commandId) ? commandId : stream.keys().next().value;
    if (id === undefined) return;
    const waiting = stream.get(id)!;
    if (waiting.timer) clearTimeout(waiting.timer);
    stream.delete(id);
  }

  /** The stream ended (`how`: its outcome): a command it leaves unanswered after (nearly) the bound is reported. */
  streamEnded(streamId: string, how: string): void {
    const stream = this.#waiting.get(streamId);
    if (!stream) return;
    this.#waiting.delete(streamId);
    for (const [id, waiting] of stream) {
      if (waiting.timer) clearTimeout(waiting.timer);
      const waited = this.clock() - waiting.since;
      if (waited >= this.boundMs - this.#toleranceMs)
        this.#late(streamId, id, waiting, `no answer; the stream ended (${how}) after ${waited} ms`);
    }
  }

  /** Stops every timer (the interceptor closes). */
  close(): void {
    for (const stream of this.#waiting.values()) for (const waiting of stream.values()) if (waiting.timer) clearTimeout(waiting.timer);
    this.#waiting.clear();
  }

  #late(streamId: string, commandId: number, waiting: Waiting, actual: string): void {
    if (waiting.reported) return;
    waiting.reported = true;
    waiting.report({
      side: "user function",
      cause: `did not answer Command ${commandId} (${waiting.name}) on stream ${streamId} within ${this.boundMs} ms`,
      item: "D3",
      rule: "every command is answered within the answer timeout",
      expected: `an answer to Command ${commandId} (${waiting.name}) within ${this.boundMs} ms (--answer-timeout)`,
      actual,
    });
  }
}
