@uf @model @lifecycle
Feature: Stream lifecycle of the TCK model entity
  Each entity lives on one handle stream that starts with Init; the user function
  answers commands only, and refuses streams that break the protocol.

  @B3
  Scenario: B3 a second Init ends the stream with an error
    Given entity "b3" is started with no history
    When the backend sends a second Init on the stream of "b3"
    Then the user function ends the stream of "b3" with an error

  @B4
  Scenario: B4 an Event before Init ends the stream with an error
    When the backend sends an Event before Init on a stream for "b4-event"
    Then the user function ends the stream of "b4-event" with an error

  @B4
  Scenario: B4 a Command before Init ends the stream with an error
    When the backend sends a Command before Init on a stream for "b4-command"
    Then the user function ends the stream of "b4-command" with an error

  @B5
  Scenario: B5 a message with no case set is a protocol error
    Given entity "b5" is started with no history
    When the backend sends a message with nothing set on the stream of "b5"
    Then the user function ends the stream of "b5" with an error

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
