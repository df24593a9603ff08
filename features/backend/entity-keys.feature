@be @keys
Feature: Entity keys
  A request's key fields name its entity: one key field as is; several joined with "-" in
  field-number order, each part escaped; empty keys refused.

  @J1
  Scenario: J1 a single key field's value is the entity id
    When the client processes emit "a" on entity "j1"
    Then the user function saw an Init for entity "j1"

  @J2
  Scenario Outline: J2 composite keys join in field-number order with escaping (<case>)
    When the client processes emit "a" through ProcessComposite with key "<partA>", 42, true, KIND_TWO
    Then the entity id is "<partA>" escaped, then the other 3 key fields, joined with "-"
    When the client processes emit "b" through ProcessComposite with key "<partA>", 42, true, KIND_TWO
    Then the reply state is "ab"

    Examples:
      | case                 | partA    |
      | plain                | plain    |
      | a dash in the part   | da-sh    |
      | a backslash          | back\\sl |
      | both                 | b\\-d    |

  @J2 @restart
  Scenario: J2 key fields declared out of number order still join in field-number order
    Given the backend serves the model entity with its composite key fields declared in reverse order
    When the client processes emit "a" through ProcessComposite with key "rev", 7, false, KIND_ONE
    Then the entity id is "rev" escaped, then the other 3 key fields, joined with "-"
    When the client processes emit "b" through ProcessComposite with key "rev", 7, false, KIND_ONE
    Then the reply state is "ab"
    When the client processes emit "c" through ProcessComposite with key "rev", 8, false, KIND_ONE
    Then the reply state is "c"
    When the client processes emit "d" through ProcessComposite with key "rev", 7, true, KIND_ONE
    Then the reply state is "d"
    When the client processes emit "e" through ProcessComposite with key "rev", 7, false, KIND_TWO
    Then the reply state is "e"

  @J2 @J3
  Scenario: J3 non-string keys map deterministically, and distinct key tuples never share an entity
    When the client processes emit "a" through ProcessComposite with key "k", 7, false, KIND_ONE
    And the client processes emit "b" through ProcessComposite with key "k", 7, false, KIND_ONE
    Then the reply state is "ab"
    When the client processes emit "c" through ProcessComposite with key "k", 8, false, KIND_ONE
    Then the reply state is "c"
    When the client processes emit "d" through ProcessComposite with key "k", 7, true, KIND_ONE
    Then the reply state is "d"
    When the client processes emit "e" through ProcessComposite with key "k", 7, false, KIND_TWO
    Then the reply state is "e"
    When the client processes emit "f" through ProcessComposite with key "k-7", 7, false, KIND_ONE
    Then the reply state is "f"

  @J3
  Scenario: J3 a number, bool or enum key field left out is the same entity as one sent with its default value
    When the client processes emit "a" through ProcessComposite with key "j3-absent" and the other key fields absent
    And the client processes emit "b" through ProcessComposite with key "j3-absent", 0, false, KIND_UNSPECIFIED
    Then both forms of the key reached the same entity, and the reply state is "ab"
    When the client processes emit "c" through ProcessComposite with key "j3-explicit", 0, false, KIND_UNSPECIFIED
    And the client processes emit "d" through ProcessComposite with key "j3-explicit" and the other key fields absent
    Then both forms of the key reached the same entity, and the reply state is "cd"

  @J4
  Scenario: J4 an empty key gives INVALID_ARGUMENT and nothing reaches the user function
    When the client processes emit "a" with an empty key
    Then the backend refused the empty key with INVALID_ARGUMENT, and nothing reached the user function

  @J4 @J2
  Scenario: J4 an empty string part of a composite key gives INVALID_ARGUMENT and nothing reaches the user function
    When the client processes emit "a" through ProcessComposite with an empty string key part and 42, true, KIND_TWO
    Then the backend refused the empty key with INVALID_ARGUMENT, and nothing reached the user function

  @J5
  Scenario Outline: J5 entity ids with odd characters round-trip (<case>)
    When the client processes emit "a" on entity "<id>"
    Then the user function saw an Init for entity "<id>"
    When the client processes emit "b" on entity "<id>"
    Then the reply state is "ab"

    Examples:
      | case      | id              |
      | slash     | a/b/c           |
      | spaces    | with  spaces    |
      | percent   | 100%25 %zz      |
      | unicode   | ünïcödé ✓ 東京  |
      | emoji     | 🎉🚀            |
