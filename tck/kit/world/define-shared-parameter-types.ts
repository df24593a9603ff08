import { defineParameterType } from "@cucumber/cucumber";
import { modelActionsPattern, parseModelActions } from "../subjects/parse-model-actions.js";

/**
 * The parameter types both modes' features use. A function rather than a module
 * with side effects: each mode builds its own support library, and an ES module
 * runs once per process, so each mode's parameter-types file must call this itself.
 */
export function defineSharedParameterTypes(): void {
  /** `emit "a", fail "no"` or `nothing`: the actions of one model entity command. */
  defineParameterType({
    name: "actions",
    regexp: modelActionsPattern,
    transformer: parseModelActions,
  });

  /** `"a", "b", "c"`: a list of values (event values, expected states). */
  defineParameterType({
    name: "values",
    regexp: /"[^"]*"(?:, "[^"]*")*/,
    transformer: (text: string): string[] => [...text.matchAll(/"([^"]*)"/g)].map(([, value = ""]) => value),
  });
}
