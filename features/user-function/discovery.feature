@uf @model @discovery
Feature: Discovery of the TCK model entity
  The backend learns what to serve by asking the user function for its entity spec.

  @A1
  Scenario: A1 ready returns a spec with a descriptor, service name and persistence id
    When the backend asks the user function for its entity spec
    Then the spec names service "lightbend.serverless.tck.model.ModelEntity" with persistence id "tck-model"

  @A2
  Scenario: A2 the descriptor parses, holds the named service, and its imports resolve
    When the backend asks the user function for its entity spec
    Then the descriptor parses and every type it uses resolves

  @A3
  Scenario: A3 every method's input type has an entity key field
    When the backend asks the user function for its entity spec
    Then every method's input type has an entity key field

  @A4
  Scenario: A4 ready can be called repeatedly and answers the same
    When the backend asks the user function for its entity spec 3 times
    Then every answer is the same
