import { typeUrlOf } from "../../protocol/index.js";
import { EntityKeyError, type UserMethod, type UserService } from "../discovery/index.js";
import type { BackendLimits } from "../config/backend-config.js";
import type { ClientGoneSignal } from "../entity/entity-protocol.js";
import type { EntityRegistry } from "../entity/entity-registry.js";
import { BackendError } from "../errors/index.js";
import type { EntityId } from "../ids.js";

/**
 * Runs one request of a user method as a command on its entity; resolves with the reply bytes.
 * `clientGone` aborts when the call's client has gone (cancelled, deadline passed).
 */
export type CommandDispatcher = (method: UserMethod, request: Uint8Array, clientGone?: ClientGoneSignal) => Promise<Uint8Array>;

/**
 * Routes a request by its entity key, refusing a key over `maxKeyBytes` before
 * any entity or journal work. The request bytes go into the Command payload
 * untouched: the descriptor may be partial, so they are never re-encoded.
 */
export function createCommandDispatcher(
  service: UserService,
  registry: EntityRegistry,
  limits: Pick<BackendLimits, "maxKeyBytes">,
): CommandDispatcher {
  // Not async: the registry's promise is handed back as it is, without an async function's extra hops.
  return (method, request, clientGone) => {
    let entityId: EntityId;
    try {
      entityId = method.entityIdOf(request);
    } catch (error) {
      if (error instanceof EntityKeyError) return Promise.reject(new BackendError("invalid_argument", error.message, { cause: error }));
      return Promise.reject(BackendError.from(error));
    }
    const keyBytes = Buffer.byteLength(entityId, "utf8");
    if (keyBytes > limits.maxKeyBytes) {
      return Promise.reject(
        new BackendError("invalid_argument", `the entity key is ${keyBytes} bytes, over the limit of ${limits.maxKeyBytes}`),
      );
    }
    try {
      return registry.command(
        { persistenceId: service.persistenceId, entityId },
        method.name,
        { typeUrl: typeUrlOf(method.inputType), value: request },
        clientGone,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
