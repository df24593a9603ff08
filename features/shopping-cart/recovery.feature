@uf @shopping-cart @replay
Feature: Recovering a shopping cart from its journal
  A cart restarted from a snapshot and the events after it holds what they say.

  @C1
  Scenario: C1 a cart restored from a snapshot holds its items
    Given the cart of user "hal" is restored from a snapshot at sequence 5 holding
      | product | name  | quantity |
      | 123     | Eggs  | 2        |
      | 456     | Flour | 4        |
    When "hal" asks for the cart
    Then the cart is what the cart's history gives

  @C3
  Scenario: C3 a cart replayed from events holds their fold
    Given the cart of user "ida" has replayed these events
      | event       | product | name  | quantity |
      | ItemAdded   | 123     | Eggs  | 2        |
      | ItemAdded   | 456     | Flour | 4        |
      | ItemAdded   | 123     | Eggs  | 1        |
      | ItemRemoved | 456     |       |          |
    When "ida" asks for the cart
    Then the cart holds
      | product | name | quantity |
      | 123     | Eggs | 3        |

  @C2
  Scenario: C2 a snapshot followed by events gives the snapshot then the events
    Given the cart of user "jon" is restored from a snapshot at sequence 5 holding
      | product | name | quantity |
      | 123     | Eggs | 2        |
    And the cart of user "jon" then replays these events
      | event     | product | name | quantity |
      | ItemAdded | 789     | Milk | 1        |
    When "jon" asks for the cart
    Then the cart holds
      | product | name | quantity |
      | 123     | Eggs | 2        |
      | 789     | Milk | 1        |

  @F2 @F3
  Scenario: F2 F3 a snapshot rides exactly on the replies whose event reaches a multiple of the snapshot interval
    Given an empty cart for user "kim"
    When "kim" adds 12 different products one by one
    Then every reply carried a snapshot exactly when its event reached a multiple of the snapshot interval, holding the cart at that point

  @C7 @F3
  Scenario: C7 snapshot points count from the restored snapshot
    Given the cart of user "lou" is restored from a snapshot one before a snapshot point holding
      | product | name | quantity |
      | 123     | Eggs | 2        |
    When "lou" adds 3 different products one by one
    Then every reply carried a snapshot exactly when its event reached a multiple of the snapshot interval, holding the cart at that point

  @E8
  Scenario: E8 every event and snapshot of the cart is an Any whose type url is type.googleapis.com/ and the full message name
    Given an empty cart for user "ivy"
    When "ivy" adds 6 different products one by one
    And "ivy" removes product "p1"
    Then every event and snapshot the user function sent is a well-formed Any
