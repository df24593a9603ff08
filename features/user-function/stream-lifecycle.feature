@uf @model @lifecycle
Feature: Stream lifecycle of the TCK model entity
  Each entity lives on one handle stream that starts with Init; the user function
  answers commands only (the protocol errors every subject must refuse are in features/protocol/).

  @B6
  Scenario: B6 nothing is sent in response to Init or Event
    Given entity "b6" is started with events "a", "b", "c"
    Then the user function sends nothing on the stream of "b6"

  @B7
  Scenario: B7 Init without snapshot or events gives the initial state
    Given entity "b7" is started with no history
    When entity "b7" processes nothing
    Then the reply state is ""

  @H4
  Scenario: H4 a new stream after a half-close starts clean
    Given entity "h4" is started with no history
    And entity "h4" processes emit "a", emit "b"
    When the backend half-closes the stream of "h4"
    Then the user function completes the stream of "h4"
    When entity "h4" is started again with no history
    And entity "h4" processes nothing
    Then the reply state is ""

  @I1
  Scenario: I1 concurrent streams of different entities never see each other's state
    When 8 entities each process their own name 3 times, all at once
    Then each entity's state is its own name 3 times
