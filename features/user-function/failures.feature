@uf @model @failures
Feature: Failed commands of the TCK model entity
  A Failure discards the command's events; the entity and its stream carry on.

  @G2 @G3
  Scenario: G2 G3 events of a failed command are discarded and the state is unchanged
    Given entity "g2" is started with events "a"
    When entity "g2" processes emit "b", emit "c", fail "refused"
    Then the command fails with "refused"
    When entity "g2" processes nothing
    Then the reply state is "a"

  @G4
  Scenario: G4 many failures in a row leave the stream healthy
    Given entity "g4" is started with no history
    When entity "g4" processes emit "x", fail "no" 20 times
    Then the last 20 commands failed with "no"
    When entity "g4" processes emit "y"
    Then the reply state is "y"

  @G8
  Scenario: G8 a handler that throws gives a Failure or ends the stream, and the entity recovers
    Given entity "g8" is started with events "a"
    When entity "g8" processes emit "b", throw "boom"
    And the backend recovers entity "g8" if its stream ended
    And entity "g8" processes nothing
    Then the reply state is "a"
