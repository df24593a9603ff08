@be @failures
Feature: Failures and protocol violations
  A Failure reaches the client as UNKNOWN; a user function that breaks the protocol, ends
  its stream or never answers fails the calls concerned, and the next call recovers.

  @G1
  Scenario: G1 a Failure reaches the client as UNKNOWN with its description
    When the client processes emit "x", fail "out of stock" on entity "g1"
    Then the call fails with UNKNOWN and the description "out of stock"

  @G2 @G3
  Scenario: G2 events of a failed command are never persisted; G3 the entity keeps working with unchanged state
    When the client processes emit "a" on entity "g2"
    And the client processes emit "x", fail "no" on entity "g2"
    Then the call fails with UNKNOWN
    When the client processes emit "b" on entity "g2"
    Then the reply state is "ab"
    When entity "g2" is passivated
    And the client processes nothing on entity "g2"
    Then the reply state is "ab"
    And the latest stream of entity "g2" replayed events 1 to 2 before its first command

  @G3 @restart @long-passivation
  Scenario: G3 after a Failure the entity keeps its stream: the next command comes on it, with no new Init
    Given the backend runs with a passivation timeout longer than every wait of this scenario
    When the client processes emit "a" on entity "g3"
    And the client processes emit "x", fail "no" on entity "g3"
    Then the call fails with UNKNOWN
    When the client processes emit "b" on entity "g3"
    Then the reply state is "ab"
    And entity "g3" answered every command on the stream it began on, with no second Init

  @D9 @restart @long-passivation
  Scenario: D9 an answer with nothing pending fails the entity at once (not at passivation), and the next call recovers
    Given the backend runs with a passivation timeout longer than every wait of this scenario
    And the user function answers the next command of entity "d9-twice" twice
    When the client processes emit "a" on entity "d9-twice"
    Then the reply state is "a"
    And the backend closes the stream of entity "d9-twice" for the answer with nothing pending, long before it could passivate it
    When the client processes emit "b" on entity "d9-twice"
    Then the reply state is "ab"
    And entity "d9-twice" is on a new stream

  @D9 @F1
  Scenario Outline: D9 a protocol violation (<violation>) fails the call INTERNAL, and the next call recovers the entity afresh
    When the client processes emit "a" on entity "<entity>"
    And the user function answers the next command of entity "<entity>" with <violation>
    And the client processes emit "b" on entity "<entity>"
    Then the call fails with INTERNAL for <violation>
    When the client processes nothing on entity "<entity>"
    Then the reply state is "a"
    And entity "<entity>" is on a new stream

    Examples:
      | violation                  | entity      |
      | a wrong command id         | d9-wrong-id |
      | a snapshot without events  | f1-snapshot |
      | an empty message           | d9-empty    |
      | a failure with command id 0 | d9-zero    |

  @D9 @queued
  Scenario: D9 a protocol violation fails the call in flight INTERNAL and the calls queued behind it UNAVAILABLE; the entity recovers unchanged
    When the client processes emit "a" on entity "d9-queued"
    And the user function answers the next command of entity "d9-queued" with a wrong command id once the calls behind it are queued
    And the client sends emit "b" to entity "d9-queued" with 2 more calls emitting "c" queued behind it
    Then the first of those calls failed with INTERNAL and the 2 queued ones with UNAVAILABLE
    When the client processes nothing on entity "d9-queued"
    Then the reply state is "a"
    And entity "d9-queued" is on a new stream

  @G5
  Scenario Outline: G5 the user function's stream <ending> with a command pending fails it UNAVAILABLE; the next call recovers
    When the client processes emit "a" on entity "<entity>"
    And the user function <ending> the stream of entity "<entity>" on its next command
    And the client processes emit "b" on entity "<entity>"
    Then the call fails with UNAVAILABLE
    When the client processes nothing on entity "<entity>"
    Then the reply state is "a"

    Examples:
      | ending          | entity   |
      | completes       | g5-end   |
      | fails           | g5-error |

  @G5 @queued
  Scenario Outline: G5 the user function's stream <ending> with a command pending and two queued fails all three UNAVAILABLE; the entity recovers unchanged
    When the client processes emit "a" on entity "<entity>"
    And the user function <ending> the stream of entity "<entity>" on its next command once the calls behind it are queued
    And the client sends emit "b" to entity "<entity>" with 2 more calls emitting "c" queued behind it
    Then the first of those calls failed with UNAVAILABLE and the 2 queued ones with UNAVAILABLE
    When the client processes nothing on entity "<entity>"
    Then the reply state is "a"
    And entity "<entity>" is on a new stream

    Examples:
      | ending    | entity          |
      | completes | g5-end-queued   |
      | fails     | g5-error-queued |

  @G6
  Scenario: G6 a user function that never replies: the call ends at the relay timeout, later calls work
    When the client processes emit "a" on entity "g6"
    And the user function never answers the next command of entity "g6"
    And the client processes emit "b" on entity "g6", waiting well past the relay timeout
    Then the call fails with DEADLINE_EXCEEDED from the backend's relay timeout, before the client's own deadline
    When the client processes emit "c" on entity "g6"
    Then the reply state is "ac"

  @G7
  Scenario: G7 a client whose deadline passes mid-command does not corrupt the entity
    When the client processes emit "a" on entity "g7"
    And the user function answers the next command of entity "g7" once the client's call has ended
    And the client processes emit "b" on entity "g7" with a 150 ms deadline
    Then the call fails with DEADLINE_EXCEEDED
    When the client processes nothing on entity "g7"
    Then the reply state is "a" or "ab"
    And after entity "g7" is passivated it answers with the same state
