@be @storage-faults
Feature: Storage failures
  The kit can break a store only for a backend started in its own process: other
  backends report these scenarios as not run.

  @E7
  Scenario: E7 a failed journal write fails the call and restarts the entity; a later replay holds only what was persisted
    When the client processes emit "a" on entity "e7"
    And the journal fails the next write for entity "e7"
    And the client processes emit "b" on entity "e7"
    Then the call fails with UNAVAILABLE
    When the client processes emit "c" on entity "e7"
    Then the reply state is "ac"
    And entity "e7" is on a new stream
    And the latest stream of entity "e7" replayed events 1 to 1 before its first command

  @F5
  Scenario: F5 a failed snapshot write does not fail the call
    Given the snapshot store fails its next write for entity "f5"
    When the client processes emit "a", emit "b", emit "c", emit "d", emit "e" on entity "f5"
    Then the reply state is "abcde"
    When entity "f5" is passivated
    And the client processes nothing on entity "f5"
    Then the reply state is "abcde"
    And the latest stream of entity "f5" began with Init without a snapshot
    And the latest stream of entity "f5" replayed events 1 to 5 before its first command
