import { defineParameterType } from "@cucumber/cucumber";
import type { ModelAction } from "../driver/model-requests.js";

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

/** `"a", "b"`: a list of values. */
defineParameterType({
  name: "values",
  regexp: /"[^"]*"(?:, "[^"]*")*/,
  transformer: (text: string): string[] => [...text.matchAll(/"([^"]*)"/g)].map(([, value = ""]) => value),
});

/** A gRPC status name, e.g. UNAVAILABLE. */
defineParameterType({
  name: "status",
  regexp: /[A-Z][A-Z_]+/,
  transformer: (text: string) => text,
});
