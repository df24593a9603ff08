import type { AnyPayload } from "../../../reference/protocol/index.js";
import { DrivenEntity, type CommandOutcome } from "../driver/driven-entity.js";
import type { UserFunctionDriver } from "../driver/user-function-driver.js";
import { transportCodes } from "../world/stream-expectations.js";

/**
 * One entity as a backend keeps it: the journal of the user function's own
 * event bytes, the snapshots it emitted, and the stream currently open.
 */
export class JournaledEntity {
  readonly journal: AnyPayload[] = [];
  /** Snapshots the user function emitted, by the sequence number they were stored at. */
  readonly snapshots = new Map<number, AnyPayload>();
  #session: DrivenEntity | undefined;
  #streams = 0;
  #endMayFollow = false;

  constructor(
    private readonly driver: UserFunctionDriver,
    readonly entityId: string,
  ) {}

  /** Opens a stream from the given snapshot (none: from the start) and replays the journal after it. */
  open(from?: { readonly sequence: number; readonly payload: AnyPayload }): void {
    this.#session?.stream.halfClose();
    this.#streams++;
    const session = new DrivenEntity(
      this.driver.openStream(this.#streams === 1 ? this.entityId : `${this.entityId}#${this.#streams}`),
      this.entityId,
      this.driver.timeoutMs,
    );
    session.init(from);
    session.replay(this.journal.slice(from?.sequence ?? 0));
    this.#session = session;
  }

  /** As a backend recovers: from the latest snapshot the user function emitted. */
  recover(): void {
    const latest = Math.max(0, ...this.snapshots.keys());
    const payload = this.snapshots.get(latest);
    this.open(payload ? { sequence: latest, payload } : undefined);
  }

  /** Passivation: the backend half-closes, and later opens afresh. */
  passivate(): void {
    this.#session?.stream.halfClose();
    this.#session = undefined;
  }

  /**
   * The last command's handler threw and the user function answered a Failure:
   * it may still end the stream (G8 allows either), and that end may arrive
   * only after the next command was sent.
   */
  endMayFollow(): void {
    this.#endMayFollow = true;
  }

  async command(name: string, payload: AnyPayload): Promise<CommandOutcome> {
    if (!this.#session) this.recover();
    let outcome = await this.#session!.command(name, payload);
    if (this.#endMayFollow && outcome.kind === "ended" && outcome.code !== 0 && !transportCodes.has(outcome.code)) {
      // As a backend would: recover the entity and send the command again.
      this.driver.transcript.record({
        stream: this.#session!.stream.label,
        kind: "note",
        text: "the stream ended after the Failure for a throwing handler: recovering and sending the command again",
      });
      this.recover();
      outcome = await this.#session!.command(name, payload);
    }
    this.#endMayFollow = false;
    if (outcome.kind === "reply") {
      this.journal.push(...outcome.reply.events);
      if (outcome.reply.snapshot && outcome.reply.events.length > 0) this.snapshots.set(this.journal.length, outcome.reply.snapshot);
    }
    return outcome;
  }
}
