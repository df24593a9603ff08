import { defineParameterType } from "@cucumber/cucumber";
import type { ModelAction } from "../subjects/model-entity-subject.js";

const actionPattern = String.raw`(?:emit|fail|respond|throw) "[^"]*"`;

/** `emit "a", fail "no"` or `nothing`: the actions of one model entity command. */
defineParameterType({
  name: "actions",
  regexp: new RegExp(String.raw`nothing|${actionPattern}(?:, ${actionPattern})*`),
  transformer: (text: string): ModelAction[] => {
    if (text === "nothing") return [];
    return [...text.matchAll(/(emit|fail|respond|throw) "([^"]*)"/g)].map(([, kind, value = ""]) => {
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
  },
});

/** `"a", "b", "c"`: event values. */
defineParameterType({
  name: "values",
  regexp: /"[^"]*"(?:, "[^"]*")*/,
  transformer: (text: string): string[] => [...text.matchAll(/"([^"]*)"/g)].map(([, value = ""]) => value),
});

/** The model entity's methods. */
defineParameterType({
  name: "method",
  regexp: /ProcessEmpty|ProcessComposite|ProcessStream|Process/,
  transformer: (text: string) => text,
});

/** An entity of the model entity, by its id: `"e1"`. */
defineParameterType({
  name: "entity",
  regexp: /"([^"]+)"/,
  transformer: (id: string) => id,
});

/** A shopping cart, by its user id (the cart's entity key): `"ann"`. */
defineParameterType({
  name: "user",
  regexp: /"([^"]+)"/,
  transformer: (userId: string) => userId,
});
