/**
 * Domain rules the seed does not state but the kit's subject contracts add,
 * each a named rule set with its own tag. Scenarios and properties that judge
 * a rule carry its tag, and only they send the commands the rule is about, so
 * `--tags 'not @rule-quantity'` leaves every other check judging the
 * implementation (the property generators and models follow the tags).
 */
export const cartRuleSets = {
  quantity: {
    tag: "@rule-quantity",
    rule: "AddItem with a quantity below 1 is a Failure and emits no event",
  },
} as const;

export type CartRuleName = keyof typeof cartRuleSets;

/** Which of the cart's rule sets a scenario judges. */
export type CartRules = Readonly<Record<CartRuleName, boolean>>;

/** The rule sets a scenario judges: those whose tag it carries. */
export function cartRulesOf(tags: readonly string[]): CartRules {
  return { quantity: tags.includes(cartRuleSets.quantity.tag) };
}
