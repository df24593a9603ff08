@uf @model @commands
Feature: Commands to the TCK model entity
  Every command gets exactly one answer, carrying its id, in order.

  @D2
  Scenario: D2 each answer carries the id of the command it answers
    Given entity "d2" is started with no history
    When entity "d2" processes emit "a"
    And entity "d2" processes fail "no"
    And entity "d2" processes respond "hi"
    Then every answer carried the id of its command

  @D3
  Scenario: D3 exactly one answer per command, in command order
    Given entity "d3" is started with no history
    When entity "d3" processes 6 commands one after another
    Then every answer carried the id of its command
    And no further answer arrives on the stream of "d3"

  @D10
  Scenario: D10 an empty reply payload is a valid google.protobuf.Empty
    Given entity "d10" is started with no history
    When entity "d10" processes emit "a" through ProcessEmpty
    Then the reply payload is an empty google.protobuf.Empty
    When entity "d10" processes nothing
    Then the reply state is "a"

  @D11
  Scenario: D11 the reply payload's type url is the method's output type
    Given entity "d11" is started with no history
    When entity "d11" processes respond "typed"
    Then the reply payload's type url is "type.googleapis.com/lightbend.serverless.tck.model.Response"
    And the reply message is "typed"

  @D11
  Scenario: D11 the composite-keyed method answers like the single-keyed one
    Given entity "d11-composite" is started with no history
    When entity "d11-composite" processes emit "k" through ProcessComposite
    Then the reply payload's type url is "type.googleapis.com/lightbend.serverless.tck.model.Response"
    And the reply state is "k"

  @D11
  Scenario: D11 every message of the streamed method is one command
    Given entity "d11-stream" is started with no history
    When entity "d11-stream" processes emit "s" through ProcessStream
    And entity "d11-stream" processes emit "t" through ProcessStream
    Then the reply state is "st"

  @D11
  Scenario: D11 every reply carries the output type the descriptor declares for its method
    Given entity "d11-declared" is started with no history
    When the backend asks the user function for its entity spec
    And entity "d11-declared" processes emit "a"
    And entity "d11-declared" processes emit "b" through ProcessEmpty
    And entity "d11-declared" processes emit "c" through ProcessComposite
    And entity "d11-declared" processes emit "d" through ProcessStream
    Then every reply carries the output type the descriptor declares for its method
