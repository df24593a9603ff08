import { defineParameterType } from "@cucumber/cucumber";
import { defineSharedParameterTypes } from "../../kit/world/define-shared-parameter-types.js";

defineSharedParameterTypes();

/** A gRPC status name, e.g. UNAVAILABLE. */
defineParameterType({
  name: "status",
  regexp: /[A-Z][A-Z_]+/,
  transformer: (text: string) => text,
});
