import type { ModelAction } from "./model-entity-subject.js";

const actionPattern = String.raw`(?:emit|fail|respond|throw) "[^"]*"`;

/** `emit "a", fail "no"` or `nothing`, as a step writes the actions of one model entity command. */
export const modelActionsPattern = new RegExp(String.raw`nothing|${actionPattern}(?:, ${actionPattern})*`);

/** Reads text matching {@link modelActionsPattern} into the actions, in order. */
export function parseModelActions(text: string): ModelAction[] {
  if (text === "nothing") return [];
  return [...text.matchAll(/(emit|fail|respond|throw) "([^"]*)"/g)].map(([, kind, value = ""]): ModelAction => {
    switch (kind) {
      case "emit":
        return { emit: value };
      case "fail":
        return { fail: value };
      case "respond":
        return { respond: value };
      default:
        return { throw: value };
    }
  });
}
