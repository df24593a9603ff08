/** What a run hands every scenario (cucumber world parameters: JSON only). */
export interface TckParameters {
  /** `host:port` of the user function under test. */
  readonly target: string;
  readonly subject: SubjectName;
  /** Bound on every wait for the user function, in ms. */
  readonly timeoutMs: number;
  /** The subject's snapshot interval N. */
  readonly snapshotEvery: number;
  /** fast-check seed; a fresh one per run when absent. */
  readonly seed?: number;
  /** fast-check runs per property. */
  readonly runs: number;
  /** The command line that reruns this run (printed with property counterexamples). */
  readonly rerunCommand: string;
}

export type SubjectName = "shopping-cart" | "model";

export const subjectNames: readonly SubjectName[] = ["shopping-cart", "model"];

export function isSubjectName(value: string): value is SubjectName {
  return (subjectNames as readonly string[]).includes(value);
}

/** The gRPC service each subject's user function serves (its `ready()` names it). */
export const subjectServices: Readonly<Record<SubjectName, string>> = {
  "shopping-cart": "com.example.shoppingcart.ShoppingCart",
  model: "lightbend.serverless.tck.model.ModelEntity",
};

/** The subject whose service this is, if any. */
export function subjectServing(serviceName: string): SubjectName | undefined {
  return subjectNames.find((name) => subjectServices[name] === serviceName);
}
