@uf @model @events
Feature: Events the TCK model entity emits
  A user function applies its own events as if they had been replayed.

  @E4
  Scenario: E4 the user function applies its own emitted events
    Given entity "e4" is started with no history
    When entity "e4" processes emit "a"
    And entity "e4" processes nothing
    Then the reply state is "a"

  @E4
  Scenario: E4 events applied are visible to the next command after an empty reply
    Given entity "e4-empty" is started with events "x"
    When entity "e4-empty" processes emit "y" through ProcessEmpty
    And entity "e4-empty" processes emit "z"
    Then the reply state is "xyz"

  @E5
  Scenario: E5 several events in one reply are applied in emission order
    Given entity "e5" is started with no history
    When entity "e5" processes emit "a", emit "b", emit "c"
    Then the reply carries the events "a", "b", "c"
    And the reply state is "abc"
    When entity "e5" processes nothing
    Then the reply state is "abc"

  @E8
  Scenario: E8 every event and snapshot is an Any whose type url is type.googleapis.com/ and the full message name
    Given entity "e8" is started with no history
    When entity "e8" processes emit "a", emit "b", emit "c", emit "d", emit "e", emit "f"
    And entity "e8" processes emit "g"
    Then every event and snapshot the user function sent is a well-formed Any
