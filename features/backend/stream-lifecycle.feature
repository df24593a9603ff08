@be @lifecycle
Feature: Stream lifecycle, passivation and recovery
  One handle stream per active entity, opened with Init; an idle entity is passivated by
  completing its stream, and the next call recovers it from the journal.

  @B1 @I4
  Scenario: B1 one stream per active entity, and its first message is Init
    Given the user function answers the next command of entity "b1" once the calls behind it are queued
    When the client sends 3 commands to entity "b1" one after another without waiting, each emitting its number
    Then the user function saw 1 stream for entity "b1"
    And every stream of entity "b1" began with Init

  @I4 @passivates
  Scenario: I4 a passivated stream the user function still holds open ends (waited for or cancelled) before the entity's next stream opens
    Given the user function keeps its side of the next passivated stream of entity "i4" open for half the relay timeout
    When the client processes emit "a" on entity "i4"
    And the backend completes the stream of entity "i4" while the user function keeps its side open
    And the client processes emit "b" on entity "i4", given as long as the held stream may take to end
    Then the reply state is "ab"
    And no two streams of entity "i4" were live at the same time

  @B2 @J1
  Scenario: B2 Init's entity id is the request's key, and every Command carries it
    When the client processes emit "a" on entity "b2"
    And the client processes respond "again" on entity "b2"
    Then the Init and every Command of entity "b2" carried its entity id

  @D1 @H3
  Scenario: D1 command ids start at 1 on every stream and increase
    Given the user function answers the next command of entity "d1" once the calls behind it are queued
    When the client sends 3 commands to entity "d1" one after another without waiting, each emitting its number
    And entity "d1" is passivated
    And the user function answers the next command of entity "d1" once the calls behind it are queued
    And the client sends 2 commands to entity "d1" one after another without waiting, each emitting its number
    Then the command ids of entity "d1" were 1, 2, 3 on its first stream and 1, 2 on its second

  @H1
  Scenario: H1 an idle entity is passivated by completing its stream; the user function completes its side
    When the client processes emit "a" on entity "h1"
    Then entity "h1" is passivated
    And the stream of entity "h1" ended cleanly

  @H2
  Scenario: H2 passivation waits for the command in flight
    Given the user function answers the next command of entity "h2" after 3 passivation timeouts
    When the client processes emit "a" on entity "h2"
    Then the reply state is "a"
    And the backend completed no stream of entity "h2" while its command was in flight

  @C6 @C4 @H3
  Scenario: C6 an entity without a snapshot is offered none, and its events replay from 1
    When the client processes emit "a", emit "b" on entity "c6"
    And entity "c6" is passivated
    And the client processes nothing on entity "c6"
    Then the reply state is "ab"
    And the latest stream of entity "c6" began with Init without a snapshot
    And the latest stream of entity "c6" replayed events 1 to 2 before its first command

  @F4 @C4 @C5 @E3 @H3
  Scenario: F4 after passivation: Init offers the latest snapshot at its sequence, then only the later events
    When the client processes emit "a", emit "b", emit "c", emit "d", emit "e", emit "f", emit "g" on entity "f4"
    And the client processes emit "h" on entity "f4"
    And entity "f4" is passivated
    And the client processes nothing on entity "f4"
    Then the reply state is "abcdefgh"
    And the latest stream of entity "f4" began with Init offering the snapshot "abcdefg" at sequence 7
    And the latest stream of entity "f4" replayed events 8 to 8 before its first command

  @H5 @restart @durable
  Scenario: H5 after a backend restart every acknowledged event is still there
    When the client processes emit "a", emit "b" on entity "h5"
    And the client processes emit "c" on entity "h5"
    And the backend is restarted
    And the client processes nothing on entity "h5"
    Then the reply state is "abc"

  @H8 @restart @durable
  Scenario: H8 a backend killed (kill -9) right after its replies arrive keeps every acknowledged event
    When the backend is killed with kill -9 right after its replies arrive and restarted, 5 times
    Then every event acknowledged before a kill -9 was there after the restart

  @H6 @restart
  Scenario: H6 shutdown drains calls in flight
    Given the user function answers the next command of entity "h6" after 500 ms
    When the client starts processing emit "a" on entity "h6"
    And the backend is stopped while that call is in flight
    Then that call succeeded with state "a"

  @C9
  Scenario: C9 a replay of 10,000 events completes well within the timeouts
    Given the user function never snapshots entity "c9"
    When the client appends 10000 events to entity "c9", 1000 per command
    And entity "c9" is passivated
    And the client processes emit "!" on entity "c9"
    Then the reply state is 10000 events long plus "!"
    And the latest stream of entity "c9" replayed events 1 to 10000 before its first command
