import { typeUrlOf } from "../../protocol/index.js";
import { EntityKeyError, type UserMethod, type UserService } from "../discovery/index.js";
import type { EntityRegistry } from "../entity/entity-registry.js";
import { BackendError } from "../errors/index.js";
import type { EntityId } from "../ids.js";

/** Runs one request of a user method as a command on its entity; resolves with the reply bytes. */
export type CommandDispatcher = (method: UserMethod, request: Uint8Array) => Promise<Uint8Array>;

/**
 * Routes a request by its entity key. The request bytes go into the Command
 * payload untouched: the descriptor may be partial, so they are never re-encoded.
 */
export function createCommandDispatcher(service: UserService, registry: EntityRegistry): CommandDispatcher {
  return async (method, request) => {
    let entityId: EntityId;
    try {
      entityId = method.entityIdOf(request);
    } catch (error) {
      if (error instanceof EntityKeyError) throw new BackendError("invalid_argument", error.message, { cause: error });
      throw BackendError.from(error);
    }
    return registry.command(
      { persistenceId: service.persistenceId, entityId },
      method.name,
      { typeUrl: typeUrlOf(method.inputType), value: request },
    );
  };
}
