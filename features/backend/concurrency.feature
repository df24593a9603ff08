@be @concurrency
Feature: Concurrency and isolation
  Calls to one entity are serialised, calls to different entities are not, and a burst
  beyond the per-entity queue is refused, not lost.

  @I2
  Scenario: I2 concurrent calls to one entity are serialised; none is lost or duplicated
    When 12 clients each process emit of their own letter on entity "i2" at once
    Then every one of those calls succeeded
    And the state of entity "i2" holds each of those letters exactly once
    And each of those replies showed a state the next one extends

  @I3
  Scenario: I3 calls to different entities run concurrently and stay isolated
    When 8 entities named "i3" each process emit of their own letter 3 times, all at once
    Then every one of those calls succeeded
    And each of those entities holds only its own letter, 3 times

  @I5
  Scenario: I5 a burst beyond the per-entity queue fails RESOURCE_EXHAUSTED, not silently
    # Warmed up first: a running entity, not one recovering, meets the burst.
    When the client processes nothing on entity "i5"
    And the user function answers the next command of entity "i5" once the calls behind it are queued
    And the client sends 10 more commands than the relay buffer holds to entity "i5" at once, each emitting "x"
    Then exactly 10 of those calls failed with RESOURCE_EXHAUSTED and every other one succeeded
    And the state of entity "i5" has one "x" per call that succeeded
