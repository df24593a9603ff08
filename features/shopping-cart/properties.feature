@uf @shopping-cart @property
Feature: Properties of the shopping cart over random command sequences
  Each property runs many random command sequences (fast-check); a failure prints the
  seed, the shrunk counterexample and the command that reruns it.

  @M1
  Scenario: M1 a model of the cart predicts every reply to a random command sequence
    Then for random command sequences every answer is the one the model predicts

  # The same property judging the rule set @rule-quantity too: quantities below 1 are generated.
  @M1 @rule-quantity
  Scenario: M1 with the quantity rule a model of the cart predicts every reply, quantities below 1 included
    Then for random command sequences every answer is the one the model predicts

  @C10 @M3
  Scenario: C10 M3 live state equals full replay and any snapshot plus the tail
    Then for random command sequences the live state equals a full replay and any snapshot plus the tail

  @M2
  Scenario: M2 every recorded transcript keeps the protocol invariants
    Then for random command sequences the transcript keeps the protocol invariants
