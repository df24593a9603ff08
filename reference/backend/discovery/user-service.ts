import type { EntityId, PersistenceId } from "../ids.js";

/** Why a request cannot be routed to an entity; the backend answers INVALID_ARGUMENT. */
export class EntityKeyError extends Error {
  override readonly name = "EntityKeyError";
}

/** One method of the user's service, as the backend serves it. */
export interface UserMethod {
  /** The method name, as sent in `Command.name`. */
  readonly name: string;
  /** The gRPC path, `/<package>.<Service>/<Method>`. */
  readonly path: string;
  /** Full name of the input type, no leading dot (the Command payload's type url names it). */
  readonly inputType: string;
  readonly outputType: string;
  readonly clientStreaming: boolean;
  readonly serverStreaming: boolean;
  /**
   * The entity id of a request, from its key field(s) as docs/protocol.md fixes
   * it. Throws EntityKeyError for bytes that do not parse as the input type or
   * a request without a key value. Never changes the bytes.
   */
  entityIdOf(request: Uint8Array): EntityId;
}

/** The user function's service, read from its EntitySpec and validated. */
export interface UserService {
  /** Full name, no leading dot. */
  readonly name: string;
  readonly persistenceId: PersistenceId;
  readonly methods: ReadonlyMap<string, UserMethod>;
  /** The FileDescriptorProto bytes as received, plus the files it imports (for server reflection). */
  readonly fileDescriptors: readonly Uint8Array[];
}
