@uf @model @snapshots
Feature: Snapshots of the TCK model entity
  With a snapshot interval of N, a reply carries a snapshot exactly when one of its
  events gets a sequence number that is a multiple of N; it holds the state after
  all of the reply's events.

  @F1
  Scenario: F1 a snapshot only rides with events
    Given entity "f1" is started from a snapshot at a snapshot point
    When entity "f1" processes nothing
    Then the reply carries no snapshot

  @F2 @F3
  Scenario: F2 F3 the event that reaches a snapshot point brings the state after it
    Given entity "f3" is started with events up to one before a snapshot point
    When entity "f3" processes emit "s"
    Then the reply carries a snapshot exactly when an event reaches a multiple of the snapshot interval

  @F2 @F3
  Scenario: F2 F3 a reply whose events cross a snapshot point carries one snapshot of the state after all of them
    Given entity "f3-cross" is started with events up to one before a snapshot point
    When entity "f3-cross" processes emit "p", emit "q", emit "r"
    Then the reply carries a snapshot exactly when an event reaches a multiple of the snapshot interval

  @F3
  Scenario: F3 replies whose events stay between snapshot points carry none
    Given entity "f3-none" is started from a snapshot at a snapshot point
    When entity "f3-none" processes emit "a"
    Then the reply carries a snapshot exactly when an event reaches a multiple of the snapshot interval
