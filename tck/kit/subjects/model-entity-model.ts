import type { ModelAction } from "./model-entity-subject.js";

/** What the model entity must do with a command, per proto/tck/README.md. */
export type ModelPrediction =
  | { readonly kind: "reply"; readonly events: readonly string[]; readonly stateAfter: string; readonly message: string }
  | { readonly kind: "failure"; readonly description: string; readonly stateAfter: string }
  /** A handler that throws: a Failure or the end of the stream are both allowed. */
  | { readonly kind: "throw"; readonly stateAfter: string };

export function predictModelEntity(state: string, actions: readonly ModelAction[]): ModelPrediction {
  const events: string[] = [];
  let message = "";
  for (const action of actions) {
    if ("emit" in action) events.push(action.emit);
    else if ("fail" in action) return { kind: "failure", description: action.fail, stateAfter: state };
    else if ("respond" in action) message = action.respond;
    else return { kind: "throw", stateAfter: state };
  }
  return { kind: "reply", events, stateAfter: state + events.join(""), message };
}

/** Whether a reply whose events get these sequence numbers must carry a snapshot. */
export function snapshotDue(sequences: readonly number[], snapshotEvery: number): boolean {
  return sequences.some((sequence) => sequence % snapshotEvery === 0);
}

export function describeActions(actions: readonly ModelAction[]): string {
  if (actions.length === 0) return "nothing";
  return actions
    .map((a) =>
      "emit" in a
        ? `emit ${JSON.stringify(a.emit)}`
        : "fail" in a
          ? `fail ${JSON.stringify(a.fail)}`
          : "respond" in a
            ? `respond ${JSON.stringify(a.respond)}`
            : `throw ${JSON.stringify(a.throw)}`,
    )
    .join(", ");
}
