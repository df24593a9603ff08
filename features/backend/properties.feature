@be @properties
Feature: Properties of the backend (fast-check)
  Random command sequences over many entities, with passivations and restarts at random
  points; on failure the seed and the shrunk counterexample are printed.

  @H7 @M4 @M1
  Scenario: H7 passivations inserted at random points never change what a client sees
    Then the model predicts every reply while entities are passivated at random points

  @H7 @M4 @restart @durable
  Scenario: H7 backend restarts inserted at random points never change what a client sees
    Then the model predicts every reply while the backend is restarted at random points

  @I6 @M4
  Scenario: I6 each entity's history of replies is consistent with some serial order
    Then concurrent calls on a few entities always give serially consistent replies
