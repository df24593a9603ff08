import type { AnyPayload, StreamIn } from "../../../reference/protocol/index.js";
import { DrivenEntity, type CommandOutcome } from "../driver/driven-entity.js";
import { snapshotDue } from "../../kit/subjects/model-entity-model.js";
import {
  applyCartEvent,
  describeCartCommand,
  describeCartEvent,
  describeItems,
  predictCart,
  sameCartEvent,
  sameItems,
  type CartCommand,
  type CartPrediction,
} from "../../kit/subjects/shopping-cart-model.js";
import type { CartRules } from "../../kit/subjects/rule-sets.js";
import type { CartEvent, LineItem, ShoppingCartSubject } from "../../kit/subjects/shopping-cart-subject.js";
import { describeOutcome } from "../verdict/describe-outcome.js";
import type { KitContext } from "./kit-context.js";
import type { ProtocolBackend, WireCommand } from "./protocol-backend.js";
import { expectAnswerTo, expectEndsWithError } from "./stream-expectations.js";

interface CartRecord {
  session: DrivenEntity;
  streams: number;
  expectedItems: readonly LineItem[];
  snapshot: { sequence: number; payload: AnyPayload } | undefined;
  journal: AnyPayload[];
}

interface CartCommandRecord {
  readonly cart: string;
  /** Undefined for a command the cart cannot run (unknown name, undecodable payload). */
  readonly command: CartCommand | undefined;
  readonly label: string;
  readonly prediction: CartPrediction;
  readonly outcome: CommandOutcome;
}

/** The kit as the backend of shopping carts: sends the sample's commands and judges the answers. */
export class ShoppingCartBackend implements ProtocolBackend {
  readonly #carts = new Map<string, CartRecord>();
  readonly #commands: CartCommandRecord[] = [];

  constructor(
    private readonly kit: KitContext,
    readonly subject: ShoppingCartSubject,
    /** The rule sets the scenario judges: a command only such a rule predicts is a kit bug elsewhere. */
    private readonly rules: CartRules,
  ) {}

  #cart(user: string): CartRecord {
    const cart = this.#carts.get(user);
    if (!cart) throw new Error(`the scenario never started cart ${JSON.stringify(user)}`);
    return cart;
  }

  get last(): CartCommandRecord {
    const last = this.#commands.at(-1);
    if (!last) throw new Error("the scenario sent no command yet");
    return last;
  }

  start(user: string, history: { snapshot?: { items: readonly LineItem[]; sequence: number }; events?: readonly CartEvent[] } = {}): void {
    const snapshot = history.snapshot
      ? { sequence: history.snapshot.sequence, payload: this.subject.cartSnapshot(history.snapshot.items) }
      : undefined;
    const events = history.events ?? [];
    const expected = events.reduce<readonly LineItem[]>((items, e) => applyCartEvent(items, e), history.snapshot?.items ?? []);
    this.#open(
      user,
      snapshot,
      events.map((e) => this.subject.event(e)),
      expected,
    );
  }

  recover(user: string): void {
    const cart = this.#cart(user);
    this.#open(user, cart.snapshot, cart.journal, cart.expectedItems);
  }

  #open(user: string, snapshot: CartRecord["snapshot"], journal: AnyPayload[], expectedItems: readonly LineItem[]): void {
    const previous = this.#carts.get(user);
    previous?.session.stream.cancel();
    const streams = (previous?.streams ?? 0) + 1;
    const session = new DrivenEntity(this.kit.driver().openStream(streams === 1 ? user : `${user}#${streams}`), user, this.kit.timeoutMs);
    session.init(snapshot);
    session.replay(journal);
    this.#carts.set(user, { session, streams, expectedItems, snapshot, journal: [...journal] });
  }

  /** More journal events for a cart whose stream has seen no command yet. */
  replay(user: string, events: readonly CartEvent[]): void {
    const cart = this.#cart(user);
    const payloads = events.map((e) => this.subject.event(e));
    cart.session.replay(payloads);
    cart.journal.push(...payloads);
    cart.expectedItems = events.reduce<readonly LineItem[]>((items, e) => applyCartEvent(items, e), cart.expectedItems);
  }

  async send(user: string, command: CartCommand): Promise<void> {
    const cart = this.#cart(user);
    const prediction = predictCart(cart.expectedItems, command, this.rules);
    const payload =
      command.kind === "AddItem"
        ? this.subject.addItem(user, command.item)
        : command.kind === "RemoveItem"
          ? this.subject.removeItem(user, command.productId)
          : this.subject.getCart(user);
    const outcome = await cart.session.command(command.kind, payload);
    this.#commands.push({ cart: user, command, label: describeCartCommand(command), prediction, outcome });
    const what = `${describeCartCommand(command)} on cart ${JSON.stringify(user)}`;
    if (prediction.kind === "reply") {
      if (outcome.kind !== "reply") this.kit.fail(`a Reply to command ${outcome.commandId} (${what})`, this.describe(outcome));
      cart.expectedItems = prediction.itemsAfter;
      cart.journal.push(...outcome.reply.events);
    } else if (outcome.kind !== "failure") {
      this.kit.fail(`a Failure for command ${outcome.commandId} (${what})`, this.describe(outcome));
    }
  }

  // ---- the subject-independent protocol checks (ProtocolBackend) ----

  startWithEvents(user: string, events: number): void {
    this.start(user, {
      events: Array.from({ length: events }, (_, i): CartEvent => ({
        type: "ItemAdded",
        item: { productId: `p${i + 1}`, name: `Product ${i + 1}`, quantity: 1 },
      })),
    });
  }

  openRaw(user: string): void {
    const session = new DrivenEntity(this.kit.driver().openStream(user), user, this.kit.timeoutMs);
    this.#carts.set(user, { session, streams: 1, expectedItems: [], snapshot: undefined, journal: [] });
  }

  sendRaw(user: string, message: StreamIn): void {
    this.#cart(user).session.stream.send(message);
  }

  someEvent(): AnyPayload {
    return this.subject.event({ type: "ItemAdded", item: { productId: "p1", name: "Product 1", quantity: 1 } });
  }

  someCommand(user: string): WireCommand {
    return { name: "GetCart", payload: this.subject.getCart(user) };
  }

  /** Bytes that claim to be an AddLineItem but end in the middle of a field. */
  undecodableCommand(): WireCommand {
    return {
      name: "AddItem",
      payload: {
        typeUrl: this.subject.addItem("", { productId: "", name: "", quantity: 1 }).typeUrl,
        value: Uint8Array.from([0x12, 0x05, 0x0a]),
      },
    };
  }

  async processUnrunnable(user: string, command: WireCommand): Promise<void> {
    const cart = this.#cart(user);
    const outcome = await cart.session.command(command.name, command.payload);
    const label = `${command.name} with ${this.subject.describe(command.payload)}`;
    this.#commands.push({
      cart: user,
      command: undefined,
      label,
      prediction: { kind: "failure", description: undefined, itemsAfter: cart.expectedItems },
      outcome,
    });
    if (outcome.kind !== "failure") this.kit.fail(`a Failure for command ${outcome.commandId} (${label})`, this.describe(outcome));
  }

  replayUnknownEvent(user: string): void {
    this.#cart(user).session.replayUnknownEvent("com.example.shoppingcart.persistence");
  }

  async expectAnswer(user: string, commandId: number): Promise<void> {
    await expectAnswerTo(this.kit, this.#cart(user).session.stream, commandId);
  }

  async expectEndsWithError(user: string): Promise<void> {
    await expectEndsWithError(this.kit, this.#cart(user).session.stream);
  }

  async expectStillUsable(user: string): Promise<void> {
    await this.send(user, { kind: "GetCart" });
    this.expectCartFromHistory();
  }

  describe(outcome: CommandOutcome): string {
    return describeOutcome(outcome, this.subject.describe);
  }

  #reply(record: CartCommandRecord = this.last) {
    const { outcome } = record;
    if (outcome.kind !== "reply") this.kit.fail(`a Reply to command ${outcome.commandId}`, this.describe(outcome));
    return outcome;
  }

  expectEvents(expected: readonly CartEvent[]): void {
    const reply = this.#reply();
    const actual: CartEvent[] = [];
    for (const payload of reply.reply.events) {
      const decoded = this.subject.decodeEvent(payload);
      if (!decoded.ok) this.kit.fail(`events [${expected.map(describeCartEvent).join(", ")}]`, decoded.why);
      actual.push(decoded.event);
    }
    if (actual.length !== expected.length || actual.some((e, i) => !sameCartEvent(e, expected[i]!))) {
      this.kit.fail(`events [${expected.map(describeCartEvent).join(", ")}]`, `events [${actual.map(describeCartEvent).join(", ")}]`);
    }
  }

  expectEmptyReply(): void {
    const reply = this.#reply();
    const payload = reply.reply.payload;
    if (!payload || payload.typeUrl !== "type.googleapis.com/google.protobuf.Empty" || payload.value.length !== 0) {
      this.kit.fail(
        "an empty google.protobuf.Empty reply payload",
        payload ? `${payload.typeUrl} with ${payload.value.length} bytes` : "no payload",
      );
    }
  }

  expectCart(items: readonly LineItem[]): void {
    const reply = this.#reply();
    const decoded = this.subject.decodeCart(reply.reply.payload);
    if (!decoded.ok) this.kit.fail(`a Cart payload with ${describeItems(items)}`, decoded.why);
    if (!sameItems(decoded.items, items))
      this.kit.fail(`the cart holds ${describeItems(items)}`, `the cart holds ${describeItems(decoded.items)}`);
  }

  /** The GetCart reply shows what the cart's whole history gives. */
  expectCartFromHistory(): void {
    this.expectCart(this.last.prediction.itemsAfter);
  }

  expectFailure(description?: string): void {
    const { outcome } = this.last;
    if (outcome.kind !== "failure") this.kit.fail(`a Failure for command ${outcome.commandId}`, this.describe(outcome));
    if (description !== undefined && outcome.description !== description) {
      this.kit.fail(`Failure description ${JSON.stringify(description)}`, `Failure description ${JSON.stringify(outcome.description)}`);
    }
  }

  /** F1–F3 on every reply so far: a snapshot exactly at multiples of N, holding the cart after the reply's events. */
  expectSnapshotRuleOnEveryReply(): void {
    let checked = 0;
    for (const record of this.#commands) {
      if (record.outcome.kind !== "reply" || record.prediction.kind !== "reply") continue;
      const { reply, sequences, commandId } = record.outcome;
      const due = snapshotDue(sequences, this.kit.snapshotEvery);
      const where = `reply to command ${commandId} (${record.label}; event sequences [${sequences.join(", ")}], N = ${this.kit.snapshotEvery})`;
      if (due && !reply.snapshot) this.kit.fail(`a snapshot on the ${where}`, "no snapshot");
      if (!due && reply.snapshot) this.kit.fail(`no snapshot on the ${where}`, `a snapshot ${this.subject.describe(reply.snapshot)}`);
      if (due && reply.snapshot) {
        const decoded = this.subject.decodeSnapshot(reply.snapshot);
        if (!decoded.ok) this.kit.fail(`a Cart snapshot on the ${where}`, decoded.why);
        if (!sameItems(decoded.items, record.prediction.itemsAfter)) {
          this.kit.fail(
            `the snapshot on the ${where} holds ${describeItems(record.prediction.itemsAfter)}`,
            `it holds ${describeItems(decoded.items)}`,
          );
        }
        checked++;
      }
    }
    if (checked === 0 && this.#commands.length >= this.kit.snapshotEvery) {
      this.kit.fail(`at least one snapshot among ${this.#commands.length} replies`, "none was due: the scenario is too short for this N");
    }
  }
}
