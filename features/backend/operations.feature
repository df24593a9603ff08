@be @operations @optional
Feature: Operational surface (optional capabilities)
  Reflection and health are optional: a backend that does not offer them is reported as
  such; one that offers them must answer correctly.

  @L1
  Scenario: L1 server reflection lists the user's service
    Given the backend serves the model entity
    Then server reflection, if offered, lists "lightbend.serverless.tck.model.ModelEntity"

  @L1
  Scenario: L1 server reflection lists the health service too
    Given the backend serves the model entity
    Then server reflection, if offered, also lists the health service when health is offered

  @L1
  Scenario: L1 server reflection serves the user's file with its options intact
    Given the backend serves the model entity
    Then server reflection, if offered, serves the user's file for "lightbend.serverless.tck.model.ModelEntity" with its entity_key options

  @L1
  Scenario: L1 server reflection answers an unknown symbol with NOT_FOUND
    Given the backend serves the model entity
    Then server reflection, if offered, answers an unknown symbol with NOT_FOUND

  @L2 @restart
  Scenario: L2 health is NOT_SERVING until discovery succeeded, SERVING after
    Given the backend starts while the user function is down
    Then the backend's health, if offered, is NOT_SERVING
    When the user function comes up
    Then the backend eventually serves the model entity
    And the backend's health, if offered, is SERVING
