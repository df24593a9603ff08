@be @shopping-cart @restart
Feature: The shopping cart through the backend
  The seed's sample, end to end: the backend serves the cart's own service, and the
  cart survives passivation with its snapshot every 5 events.

  @D10 @G1 @F4
  Scenario: a cart keeps its items across passivation, through its snapshot
    Given the backend serves the shopping cart
    When user "ann" adds 2 "Eggs" with product id "123"
    And user "ann" adds 4 "Flour" with product id "456"
    And user "ann" adds 1 "Milk" with product id "789"
    And user "ann" removes product id "456"
    And user "ann" adds 2 "Milk" with product id "789"
    And user "ann" adds 1 "Sugar" with product id "999"
    Then the cart of "ann" holds 2 "Eggs", 3 "Milk", 1 "Sugar"
    When user "ann" removes product id "000"
    Then the call fails with UNKNOWN
    When the cart of "ann" is passivated
    Then the cart of "ann" holds 2 "Eggs", 3 "Milk", 1 "Sugar"
    And the latest stream of cart "ann" began with a snapshot at sequence 5
