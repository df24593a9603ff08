@uf @model @replay
Feature: Recovering the TCK model entity from its history
  Init may offer a snapshot; the events after it follow. The state is the fold of both.

  @C1
  Scenario: C1 Init with a snapshot sets the state to it
    Given entity "c1" is started from snapshot "abc" at sequence 3
    When entity "c1" processes nothing
    Then the reply state is "abc"

  @C2
  Scenario: C2 a snapshot followed by events gives the snapshot then the events
    Given entity "c2" is started from snapshot "ab" at sequence 2 followed by events "c", "d"
    When entity "c2" processes nothing
    Then the reply state is "abcd"

  @C3
  Scenario: C3 events without a snapshot give the fold of the events
    Given entity "c3" is started with events "x", "y", "z"
    When entity "c3" processes emit "!"
    Then the reply state is "xyz!"

  @C7 @F3
  Scenario: C7 snapshot points count from the snapshot and replayed events
    Given entity "c7" is started from a snapshot past one snapshot point, with events up to one before the next
    When entity "c7" processes emit "n"
    Then the reply carries a snapshot exactly when an event reaches a multiple of the snapshot interval
    And the reply state is what the entity's history gives

  @C9
  Scenario: C9 a replay of 10,000 events completes well within the timeouts
    Given entity "c9" is started with 10000 events
    When entity "c9" processes nothing after the long replay
    Then the reply state is what the entity's history gives
