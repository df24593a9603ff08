/** The two subjects a user function is certified as: each has its own features and its own service. */
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
