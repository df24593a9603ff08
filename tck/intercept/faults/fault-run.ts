import * as grpc from "@grpc/grpc-js";
import { createBackend } from "../../../reference/backend/backend.js";
import { silentLogger } from "../../../reference/backend/logger.js";
import type { Journal, SnapshotStore } from "../../../reference/backend/persistence/index.js";
import {
  createShoppingCartClient,
  runSeedSession,
  ShoppingCartCallError,
  type Cart,
  type ShoppingCartClient,
} from "../../../samples/shopping-cart-client/index.js";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import { parseFaultSpec } from "./fault-spec.js";
import type { InvariantViolation } from "../../kit/protocol/protocol-invariants.js";
import { describeFault, type FaultInjector } from "./faults.js";
import { startInterceptor, type ViolationReport } from "../driver/interceptor.js";
import { formatTranscript } from "../../kit/transcript/intercept-transcript.js";

/**
 * A fault run of the sample end to end (for the tests):
 * client → reference backend → interceptor (faults) → sample shopping cart.
 * The seed's session, then a mixed client on several carts (add, remove, get, a restart
 * of the backend on the same stores, which passivates every cart, so every cart is
 * recovered from snapshot and events), every call's end told to the fault oracle.
 */

export interface FaultRunStores {
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  close?(): Promise<void>;
}

export interface FaultRunOptions {
  /**
   * The backend's relay timeout (default 1 s, generous on a loaded machine: a reply that comes late by
   * itself would change the traffic): a dropped message resolves by it (DEADLINE_EXCEEDED, the entity
   * restarted); a held half-close by it too (the backend cancels the stream).
   */
  readonly relayTimeoutMs?: number;
}

export interface FaultRunResult {
  readonly faults: readonly string[];
  readonly violations: readonly ViolationReport[];
  readonly clientViolations: readonly InvariantViolation[];
  readonly codes: ReadonlyMap<string, number>;
  readonly streams: number;
}

export async function faultRun(
  spec: string,
  stores: () => FaultRunStores | Promise<FaultRunStores>,
  options: FaultRunOptions = {},
): Promise<FaultRunResult> {
  const relayTimeoutMs = options.relayTimeoutMs ?? 1_000;
  // Passivation by an idle timer would depend on how long other carts' faults took (timing, not
  // traffic); the run passivates every cart by restarting the backend instead.
  const passivationTimeoutMs = 600_000;
  // A call may wait for the entity's previous stream to be cancelled (a relay timeout), its recovery
  // (one more) and its command (one more), plus delays: past ten relay timeouts it hangs.
  const clientDeadlineMs = 10 * relayTimeoutMs;
  const plan = parseFaultSpec(spec);
  const violations: ViolationReport[] = [];
  const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
  const interceptor = await startInterceptor({
    listen: "127.0.0.1:0",
    target: cart.address,
    faults: plan,
    onViolation: (r) => violations.push(r),
  });
  const { journal, snapshotStore, close } = await stores();
  const newBackend = () =>
    createBackend(
      { host: "127.0.0.1", port: 0, userFunction: interceptor.address, entity: { relayTimeoutMs, passivationTimeoutMs } },
      { journal, snapshotStore, logger: silentLogger },
    );
  let backend = newBackend();
  const codes = new Map<string, number>();
  let client: ShoppingCartClient | undefined;
  const connect = async () => {
    const address = await backend.start();
    await backend.serving;
    client?.close();
    client = recordingClient(
      createShoppingCartClient(address.target, { callTimeoutMs: clientDeadlineMs }),
      interceptor.faults!,
      codes,
      clientDeadlineMs,
    );
    return client;
  };
  try {
    await runSeedSession(await connect(), () => {});
    let restarted = false;
    // The restart: shutdown half-closes every cart's stream; the new backend recovers each from snapshot and events.
    await mixedClient(
      () => client!,
      async () => {
        await backend.stop();
        backend = newBackend();
        await connect();
        restarted = true;
      },
    );
    if (!restarted) throw new Error("the mixed client never restarted the backend");
    // Taken before the last shutdown: which streams a shutdown finds open is timing, not traffic.
    const faults = interceptor.faults!.applied().map(describeFault);
    client!.close();
    client = undefined;
    await backend.stop();
    await interceptor.settled();
    return { faults, violations, clientViolations: interceptor.faults!.clientViolations(), codes, streams: interceptor.summary().streams };
  } finally {
    client?.close();
    await backend.stop();
    await interceptor.close();
    await cart.close();
    await close?.call(undefined);
  }
}

/** A client whose every call's end is told to the oracle; a failed call answers an empty cart and goes on. */
function recordingClient(
  client: ShoppingCartClient,
  faults: FaultInjector,
  codes: Map<string, number>,
  clientDeadlineMs: number,
): ShoppingCartClient {
  const call = async <T>(entityId: string, method: string, run: () => Promise<T>, fallback: T): Promise<T> => {
    const started = Date.now();
    try {
      const result = await run();
      faults.clientCall({ entityId, method, code: grpc.status.OK, details: "", clientDeadlinePassed: false });
      codes.set("OK", (codes.get("OK") ?? 0) + 1);
      return result;
    } catch (error) {
      if (!(error instanceof ShoppingCartCallError)) throw error;
      const clientDeadlinePassed = error.code === grpc.status.DEADLINE_EXCEEDED && Date.now() - started >= clientDeadlineMs;
      faults.clientCall({ entityId, method, code: error.code, details: error.message, clientDeadlinePassed });
      const name = grpc.status[error.code] ?? String(error.code);
      codes.set(name, (codes.get(name) ?? 0) + 1);
      return fallback;
    }
  };
  const empty: Cart = { items: [] };
  return {
    addItem: (u, p, n, q) => call(u, "AddItem", () => client.addItem(u, p, n, q), undefined),
    removeItem: (u, p) => call(u, "RemoveItem", () => client.removeItem(u, p), undefined),
    getCart: (u) => call(u, "GetCart", () => client.getCart(u), empty),
    close: () => client.close(),
  };
}

/** Several carts, one call at a time (so the traffic is the same run to run): adds, removes, reads, one backend restart. */
async function mixedClient(clientNow: () => ShoppingCartClient, restart: () => Promise<void>): Promise<void> {
  const carts = ["cart-a", "cart-b", "cart-c"];
  const products = [
    ["p1", "Eggs"],
    ["p2", "Milk"],
    ["p3", "Salt"],
  ] as const;
  const rounds = async (from: number, to: number) => {
    for (let round = from; round < to; round++) {
      for (const [i, cart] of carts.entries()) {
        const [productId, name] = products[(round + i) % products.length]!;
        await clientNow().addItem(cart, productId, name, 1 + (round % 2));
        if (round % 3 === 2) await clientNow().removeItem(cart, products[(round + i + 1) % products.length]![0]);
        if (round % 2 === 1) await clientNow().getCart(cart);
      }
    }
  };
  await rounds(0, 6);
  await restart();
  for (const cart of carts) await clientNow().getCart(cart);
  await rounds(6, 9);
  for (const cart of carts) await clientNow().getCart(cart);
}

export function explainViolations(result: FaultRunResult): string {
  return [
    ...result.violations.map(
      (v) =>
        `${v.violation.item} ${v.violation.rule}: expected ${v.violation.expected}, got ${v.violation.actual}\n${formatTranscript(v.transcript)}`,
    ),
    ...result.clientViolations.map((v) => `${v.item} ${v.rule}: expected ${v.expected}, got ${v.actual}`),
    `faults: ${result.faults.join("\n  ")}`,
  ].join("\n\n");
}

/** The seeded spec the end-to-end fault tests run: every kind, about one point in ten. */
export const seededFaultRunSpec = "seed=17,rate=0.1,kinds=delay,drop,duplicate,reset,reset-connection,hold,stray,max-delay=40";

/**
 * Runs the seeded spec twice on fresh stores: each run must inject faults of every kind, see calls
 * succeed and fail, and break nothing (0 violations, 0 oracle failures); the second must inject the
 * same faults as the first. Returns both for the log.
 */
export async function seededFaultRunTwice(
  assert: typeof import("node:assert/strict"),
  stores: () => FaultRunStores | Promise<FaultRunStores>,
  options: FaultRunOptions = {},
): Promise<[FaultRunResult, FaultRunResult]> {
  const first = await faultRun(seededFaultRunSpec, stores, options);
  const kinds = new Map<string, number>();
  for (const f of first.faults) kinds.set(f.split(" ")[0]!, (kinds.get(f.split(" ")[0]!) ?? 0) + 1);
  const line = (r: FaultRunResult) =>
    `${r.faults.length} faults; client codes: ${[...r.codes].map(([k, n]) => `${n} ${k}`).join(", ")}; ${r.streams} streams; ${r.violations.length} violation(s), ${r.clientViolations.length} oracle failure(s) on client calls`;
  console.log(`faults (${seededFaultRunSpec}): [${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}]; ${line(first)}`);
  assert.ok(first.faults.length >= 5, `the seeded run injects faults; got ${first.faults.length}`);
  for (const kind of ["delay", "drop", "duplicate", "reset", "reset-connection", "hold", "stray"]) {
    assert.ok(kinds.has(kind), `the seeded run injects at least one ${kind}; got ${[...kinds.keys()].join(", ")}`);
  }
  assert.ok(
    (first.codes.get("OK") ?? 0) > 0 && first.codes.size > 1,
    `some calls succeed and some fail under the faults; got ${[...first.codes].join("; ")}`,
  );
  assert.equal(first.violations.length + first.clientViolations.length, 0, explainViolations(first));

  const second = await faultRun(seededFaultRunSpec, stores, options);
  console.log(`rerun with the same seed: ${line(second)}`);
  assert.deepEqual([...second.faults].sort(), [...first.faults].sort(), "the same seed and the same traffic give the same faults");
  assert.equal(second.violations.length + second.clientViolations.length, 0, explainViolations(second));
  return [first, second];
}
