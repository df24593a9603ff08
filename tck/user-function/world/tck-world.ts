import { World, type IWorldOptions } from "@cucumber/cucumber";
import { createUserFunctionDriver, type UserFunctionDriver } from "../driver/user-function-driver.js";
import { formatOut, type PayloadDescriber } from "../../kit/transcript/transcript.js";
import type { Sequence } from "../../kit/run/sequence-entry.js";
import { ModelEntitySubject } from "../../kit/subjects/model-entity-subject.js";
import { cartRulesOf, type CartRules } from "../../kit/subjects/rule-sets.js";
import { ShoppingCartSubject } from "../../kit/subjects/shopping-cart-subject.js";
import { anyTypeUrlViolations, emittedAnyCount } from "../properties/any-type-urls.js";
import { ExpectationFailure } from "../verdict/expectation-failure.js";
import { DiscoveryCheck } from "../../kit/protocol/discovery-check.js";
import type { KitContext } from "./kit-context.js";
import { ModelEntityBackend } from "./model-entity-backend.js";
import type { ProtocolBackend } from "./protocol-backend.js";
import { ShoppingCartBackend } from "./shopping-cart-backend.js";
import { TeardownStack } from "../../kit/world/teardown-stack.js";
import type { TckParameters } from "./tck-parameters.js";

// Loading protos is the slow part of a subject; every scenario shares them.
let modelSubject: ModelEntitySubject | undefined;
let cartSubject: ShoppingCartSubject | undefined;

/** One scenario's view of the run: the driver it owns, its subjects, and how it fails. */
export class TckWorld extends World<TckParameters> implements KitContext {
  readonly teardown = new TeardownStack();
  /** I1: each concurrently driven entity's final state. */
  concurrentStates = new Map<string, string>();
  /** The scenario's tags (set by the Before hook): its rule-set tags decide which domain rules it judges. */
  scenarioTags: readonly string[] = [];
  #driver: UserFunctionDriver | undefined;
  #model: ModelEntityBackend | undefined;
  #cart: ShoppingCartBackend | undefined;
  #discovery: DiscoveryCheck | undefined;

  constructor(options: IWorldOptions<TckParameters>) {
    super(options);
  }

  get timeoutMs(): number {
    return this.parameters.timeoutMs;
  }

  get snapshotEvery(): number {
    return this.parameters.snapshotEvery;
  }

  driver(): UserFunctionDriver {
    if (!this.#driver) {
      const driver = createUserFunctionDriver({ target: this.parameters.target, timeoutMs: this.parameters.timeoutMs });
      this.teardown.defer(() => driver.close());
      this.#driver = driver;
    }
    return this.#driver;
  }

  get model(): ModelEntityBackend {
    modelSubject ??= new ModelEntitySubject();
    this.#model ??= new ModelEntityBackend(this, modelSubject);
    return this.#model;
  }

  get cart(): ShoppingCartBackend {
    cartSubject ??= new ShoppingCartSubject();
    this.#cart ??= new ShoppingCartBackend(this, cartSubject, this.cartRules);
    return this.#cart;
  }

  /** The run's subject, for the checks every subject must pass (features/protocol/). */
  get protocol(): ProtocolBackend {
    return this.parameters.subject === "model" ? this.model : this.cart;
  }

  /** The cart's rule sets this scenario judges (`@rule-quantity`, …). */
  get cartRules(): CartRules {
    return cartRulesOf(this.scenarioTags);
  }

  get discovery(): DiscoveryCheck {
    this.#discovery ??= new DiscoveryCheck(this);
    return this.#discovery;
  }

  /** How this run's subject renders payloads in transcripts. */
  get describePayload(): PayloadDescriber {
    return this.parameters.subject === "model"
      ? (modelSubject ??= new ModelEntitySubject()).describe
      : (cartSubject ??= new ShoppingCartSubject()).describe;
  }

  get openedStreams(): boolean {
    return (this.#driver?.streams.length ?? 0) > 0;
  }

  /** Answers the user function sent that no step consumed (e.g. a second reply to one command). */
  unverifiedMessages(): string[] {
    if (!this.#driver) return [];
    return this.#driver.streams.flatMap((stream) =>
      stream.unread.map((message) => `${stream.label}: ${formatOut(message, (p) => (p ? this.describePayload(p) : "none"))}`),
    );
  }

  /** E8: every event and snapshot the user function sent in this scenario is a well-formed Any. */
  expectWellFormedAnys(): void {
    const transcript = this.driver().transcript;
    if (emittedAnyCount(transcript) === 0) this.fail("events and snapshots to judge", "the user function sent none in this scenario");
    const problems = anyTypeUrlViolations(transcript);
    if (problems.length > 0)
      this.fail("every event and snapshot an Any with type url type.googleapis.com/<fully qualified message name>", problems.join("; "));
  }

  transcriptText(): string {
    return this.#driver ? this.#driver.transcript.format(this.describePayload) : "  (nothing on the wire yet)";
  }

  /** The transcript for the report's sequence diagram (the same entries as transcriptText). */
  transcriptSequence(): Sequence {
    return this.#driver
      ? this.#driver.transcript.sequence(this.describePayload)
      : { parties: ["kit (backend)", "user function"], entries: [], omitted: 0 };
  }

  fail(expected: string, actual: string): never {
    throw new ExpectationFailure(expected, actual, this.transcriptText());
  }
}
