@uf @protocol @commands
Feature: Commands the user function cannot run, for every subject
  A command with an unknown name or a payload that does not decode gets a Failure,
  and the stream carries on with the entity's state intact.

  @D6
  Scenario: D6 an unknown command name gives a Failure and the stream stays usable
    Given entity "d6" is started with 1 event
    When entity "d6" is sent a command named "NoSuchMethod"
    Then the command fails
    And entity "d6" still answers a command with the state its history gives

  @D7
  Scenario: D7 an undecodable payload gives a Failure and the stream stays usable
    Given entity "d7" is started with 1 event
    When entity "d7" is sent a payload that does not decode
    Then the command fails
    And entity "d7" still answers a command with the state its history gives
