import { defineParameterType } from "@cucumber/cucumber";
import { defineSharedParameterTypes } from "../../kit/world/define-shared-parameter-types.js";

defineSharedParameterTypes();

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
