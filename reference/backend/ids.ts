/** Identifiers that must never be swapped for one another. */
export type PersistenceId = string & { readonly __brand: "PersistenceId" };
export type EntityId = string & { readonly __brand: "EntityId" };

export const persistenceId = (value: string): PersistenceId => value as PersistenceId;
export const entityId = (value: string): EntityId => value as EntityId;

/**
 * A journal's identity for one entity: the pair, never a concatenated string
 * (so `("a-b", "c")` and `("a", "b-c")` can never share a history).
 */
export interface EntityRef {
  readonly persistenceId: PersistenceId;
  readonly entityId: EntityId;
}
