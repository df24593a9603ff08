import type { EntityRef } from "../../ids.js";

/** An entity as it appears in error messages: the pair, quoted, so odd ids stay readable. */
export function describeEntity(entity: EntityRef): string {
  return `(${JSON.stringify(entity.persistenceId)}, ${JSON.stringify(entity.entityId)})`;
}
