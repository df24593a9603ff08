import type { EntitySpec } from "../../../reference/protocol/index.js";
import { DiscoveryCheck } from "../../kit/protocol/discovery-check.js";
import type { InvariantViolation } from "../../kit/protocol/protocol-invariants.js";

class DiscoveryFailure extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`expected ${expected}, got ${actual}`);
  }
}

/**
 * A1–A3 on a `ready()` answer that crossed the interceptor, with user-function mode's own discovery
 * checks: a non-empty descriptor, service name and persistence id (A1); the descriptor parses,
 * holds the named service and imports only resolvable files (A2); every method's input type has an
 * entity key field (A3). Every failing check is one violation of the user function's.
 */
export async function judgeReadyAnswer(spec: EntitySpec): Promise<InvariantViolation[]> {
  const check = new DiscoveryCheck({
    driver: () => ({ ready: () => Promise.resolve({ ok: true, spec }) }),
    fail: (expected, actual) => {
      throw new DiscoveryFailure(expected, actual);
    },
  });
  await check.ask();
  const violations: InvariantViolation[] = [];
  const checks: Array<[item: string, rule: string, run: () => void]> = [
    ["A1", "ready() answers a descriptor, a service name and a persistence id, none empty", () => check.expectNonEmpty()],
    [
      "A2",
      "the descriptor parses, defines the named service, and imports only resolvable files",
      () => check.expectParsesWithResolvableImports(),
    ],
    ["A3", "every method's input type has an entity key field", () => check.expectEveryMethodKeyed()],
  ];
  for (const [item, rule, run] of checks) {
    try {
      run();
    } catch (error) {
      if (!(error instanceof DiscoveryFailure)) throw error;
      // A3 after an undecodable descriptor says the same as A2: reported once.
      if (violations.some((v) => v.actual === error.actual)) continue;
      violations.push({
        side: "user function",
        cause: `answered ready() with a spec that breaks ${item}: ${error.actual}`,
        item,
        rule,
        expected: error.expected,
        actual: error.actual,
      });
    }
  }
  return violations;
}
