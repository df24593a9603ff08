@uf @protocol @lifecycle
Feature: Protocol errors on a handle stream, for every subject
  Each entity lives on one handle stream that starts with Init; the user function
  refuses streams that break the protocol. These checks need nothing of the subject
  but its messages, so they run whatever the subject.

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

  @B8
  Scenario: B8 a Command for another entity than Init's ends the stream with an error
    Given entity "b8-foreign" is started with no history
    When the backend sends a Command for entity "b8-other" on the stream of "b8-foreign"
    Then the user function ends the stream of "b8-foreign" with an error

  @B8
  Scenario: B8 a command id that does not increase ends the stream with an error
    Given entity "b8-repeat" is started with no history
    When the backend sends command 1 on the stream of "b8-repeat" and, once it is answered, command 1 again
    Then the user function ends the stream of "b8-repeat" with an error
