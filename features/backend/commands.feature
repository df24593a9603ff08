@be @commands
Feature: Commands through the backend
  Requests reach the user function byte for byte, one at a time per entity, and every
  answer reaches the client as the user function sent it.

  @D4
  Scenario: D4 one command in flight per entity; the rest wait and are answered in arrival order
    Given the user function answers the next command of entity "d4" once the calls behind it are queued
    When the client sends 5 commands to entity "d4" one after another without waiting, each emitting its number
    Then every one of those calls succeeded
    And the user function received those commands one at a time, in the order they were sent
    And each of those replies showed the state after its own command

  @D5
  Scenario: D5 Command.name is the method name and the payload is the request bytes, unchanged
    When the client processes emit "a", respond "r" on entity "d5"
    Then the user function received the last request's bytes unchanged as "Process" with type url "type.googleapis.com/lightbend.serverless.tck.model.Request"

  @D8
  Scenario: D8 an unknown method gives UNIMPLEMENTED
    When the client calls the method "NoSuchMethod" of the model entity
    Then the call fails with UNIMPLEMENTED

  @D10
  Scenario: D10 an empty reply payload reaches the client as a valid empty message
    When the client processes emit "a" on entity "d10" through ProcessEmpty
    Then the call succeeded with an empty message
    When the client processes nothing on entity "d10"
    Then the reply state is "a"

  @D12 @D5 @restart
  Scenario: D12 requests and replies cross unchanged, also when the descriptor is partial
    Given the backend serves the model entity with a partial descriptor
    When the client processes emit "a", respond "hello", emit "b" on entity "d12"
    Then the user function received the last request's bytes unchanged as "Process" with type url "type.googleapis.com/lightbend.serverless.tck.model.Request"
    And the client received the reply bytes the user function sent
    And the reply state is "ab"

  @E1
  Scenario: E1 a reply without events persists nothing
    When the client processes respond "nothing to persist" on entity "e1"
    And entity "e1" is passivated
    And the client processes nothing on entity "e1"
    Then the latest stream of entity "e1" replayed no events

  @E2
  Scenario: E2 a reply's events are persisted before the client sees the reply
    When the client processes emit "a" on entity "e2"
    And the user function ends the stream of entity "e2" with an error on its next command
    And the client processes emit "lost" on entity "e2"
    Then the call fails with UNAVAILABLE
    When the client processes nothing on entity "e2"
    Then the reply state is "a"

  @E6
  Scenario: E6 event bytes survive storage exactly, a 1 MiB event too
    When the client processes an event of 1 MiB on entity "e6"
    And the client processes emit "b" on entity "e6"
    And entity "e6" is passivated
    And the client processes nothing on entity "e6"
    Then the latest stream of entity "e6" replayed every event byte for byte as the user function emitted it
    And the reply state is 1048577 characters long

  @F6
  Scenario: F6 a snapshot of 1 MiB round-trips
    When the client processes an event of 1 MiB on entity "f6"
    And the client processes emit "b", emit "c", emit "d", emit "e" on entity "f6"
    And entity "f6" is passivated
    And the client processes nothing on entity "f6"
    Then the latest stream of entity "f6" began with Init offering the snapshot the user function sent, byte for byte, at sequence 5
    And the reply state is 1048580 characters long

  @E6
  Scenario: E6 large events the user function emits for a small request survive storage exactly
    Given the user function emits its events of the next command of entity "e6-large" 2 MiB larger than asked
    When the client processes emit "a" on entity "e6-large"
    And entity "e6-large" is passivated
    And the client processes emit "b" on entity "e6-large"
    Then the latest stream of entity "e6-large" replayed every event byte for byte as the user function emitted it
    And the reply state is 2097154 characters long
