@uf @protocol @replay
Feature: Replaying an event the user function cannot use, for every subject

  @C8
  Scenario: C8 an event of unknown type during replay ends the stream with an error
    Given entity "c8" is started with 1 event
    When the backend replays an event of an unknown type to "c8"
    Then the user function ends the stream of "c8" with an error
