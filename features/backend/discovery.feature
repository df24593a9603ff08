@be @discovery
Feature: Discovery of the user function's service
  The backend asks the user function what to serve, keeps asking while it is down,
  and refuses a spec it cannot serve with a clear startup error.

  @A5 @restart
  Scenario: A5 ready() comes before any handle stream; the backend retries while the user function is down and serves nothing until then
    Given the backend starts while the user function is down
    Then the backend retries ready() while the user function is down, and calls to the model entity fail meanwhile
    When the user function comes up
    Then the backend eventually serves the model entity
    And ready() was called before any handle stream was opened

  @A3 @restart
  Scenario: A3 a method whose input type has no key field is refused at startup, naming the method
    When the backend starts on the spec "malformed-method-without-key"
    Then it refuses to serve it with a startup error mentioning "ProcessUnkeyed"

  @A6 @restart
  Scenario Outline: A6 a malformed spec is a clear startup error: <defect>
    When the backend starts on the spec "<spec>"
    Then it refuses to serve it with a startup error mentioning "<words>"

    Examples:
      | defect                             | spec                            | words          |
      | the service is not in the file     | malformed-unknown-service       | NoSuchService  |
      | the descriptor does not parse      | malformed-unparsable-descriptor | descriptor     |
      | the persistence id is empty        | malformed-empty-persistence-id  | persistence id |

  @A7 @restart @durable
  Scenario: A7 two persistence ids never share a journal, even where "persistence id-entity id" strings collide
    Given the backend serves the model entity with persistence id "tck-a-b"
    When the client processes emit "x" on entity "c"
    Then the reply state is "x"
    Given the backend serves the model entity with persistence id "tck-a"
    When the client processes nothing on entity "b-c"
    Then the reply state is ""
    Given the backend serves the model entity with persistence id "tck-a-b"
    When the client processes nothing on entity "c"
    Then the reply state is "x"
