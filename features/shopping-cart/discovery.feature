@uf @shopping-cart @discovery
Feature: Discovery of the shopping cart
  The shopping cart describes its public service and journal when the backend asks.

  @A1
  Scenario: A1 ready names the shopping cart service and the persistence id shopping-cart
    When the backend asks the user function for its entity spec
    Then the spec names service "com.example.shoppingcart.ShoppingCart" with persistence id "shopping-cart"

  @A2
  Scenario: A2 the descriptor parses, holds the shopping cart service, and its imports resolve
    When the backend asks the user function for its entity spec
    Then the descriptor parses and every type it uses resolves

  @A3
  Scenario: A3 every shopping cart method is keyed by the user id
    When the backend asks the user function for its entity spec
    Then every method's input type has an entity key field

  @A4
  Scenario: A4 ready answers the same every time
    When the backend asks the user function for its entity spec 3 times
    Then every answer is the same
