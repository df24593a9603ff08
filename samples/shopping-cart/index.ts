export {
  type AddLineItem,
  type Cart,
  type ItemAdded,
  type ItemRemoved,
  type LineItem,
  type RemoveLineItem,
  type ShoppingCartEntityOptions,
  createShoppingCartEntity,
  shoppingCartPersistenceId,
  shoppingCartServiceName,
} from "./shopping-cart-entity.js";
export { type ShoppingCartOptions, startShoppingCart } from "./start-shopping-cart.js";
