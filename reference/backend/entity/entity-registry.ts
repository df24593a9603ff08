import type { AnyPayload } from "../../protocol/index.js";
import { BackendError } from "../errors/index.js";
import type { EntityId, EntityRef, PersistenceId } from "../ids.js";
import type { Logger } from "../logger.js";
import type { Journal } from "../persistence/journal.js";
import type { SnapshotStore } from "../persistence/snapshot-store.js";
import type { ClientGoneSignal, EntityStateMachineConfig } from "./entity-protocol.js";
import type { EntityObserver } from "./entity-observer.js";
import { EntityShell } from "./entity-shell.js";
import type { OpenEntityStream } from "./user-function-client.js";

export interface EntityRegistryOptions {
  readonly config: EntityStateMachineConfig;
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  readonly openStream: OpenEntityStream;
  readonly logger: Logger;
  /** Told about each entity's recovery, passivation, restarts and queue depth. */
  readonly observer?: EntityObserver;
}

/** Routes commands to the one active session of each entity. */
export interface EntityRegistry {
  /** Runs a command on the entity; resolves with the reply bytes, rejects with a BackendError. `clientGone`: see EntityShell. */
  command(entity: EntityRef, name: string, payload: AnyPayload, clientGone?: ClientGoneSignal): Promise<Uint8Array>;
  /** Entities with a session taking commands. */
  readonly activeEntities: number;
  /** Refuses new commands, lets queued ones finish, completes every stream. */
  shutdown(): Promise<void>;
  /** After a shutdown that took too long: fails what still waits and cancels every stream. */
  abort(): void;
}

export function createEntityRegistry(options: EntityRegistryOptions): EntityRegistry {
  return new EntityRegistryImpl(options);
}

/** Keyed by persistence id, then entity id: the pair, never a joined string. */
class EntityTable<T> {
  private readonly byPersistenceId = new Map<PersistenceId, Map<EntityId, T>>();

  get(entity: EntityRef): T | undefined {
    return this.byPersistenceId.get(entity.persistenceId)?.get(entity.entityId);
  }
  set(entity: EntityRef, value: T): void {
    let byEntityId = this.byPersistenceId.get(entity.persistenceId);
    if (!byEntityId) this.byPersistenceId.set(entity.persistenceId, (byEntityId = new Map()));
    byEntityId.set(entity.entityId, value);
  }
  delete(entity: EntityRef): void {
    const byEntityId = this.byPersistenceId.get(entity.persistenceId);
    byEntityId?.delete(entity.entityId);
    if (byEntityId?.size === 0) this.byPersistenceId.delete(entity.persistenceId);
  }
  values(): T[] {
    return [...this.byPersistenceId.values()].flatMap((byEntityId) => [...byEntityId.values()]);
  }
}

class EntityRegistryImpl implements EntityRegistry {
  private readonly active = new EntityTable<EntityShell>();
  /** The last retired session of an entity, until it has stopped: its successor waits for it. */
  private readonly retiring = new EntityTable<EntityShell>();
  private activeCount = 0;
  private shuttingDown = false;

  constructor(private readonly options: EntityRegistryOptions) {}

  get activeEntities(): number {
    return this.activeCount;
  }

  command(entity: EntityRef, name: string, payload: AnyPayload, clientGone?: ClientGoneSignal): Promise<Uint8Array> {
    if (this.shuttingDown) return Promise.reject(new BackendError("unavailable", "backend is shutting down"));
    return (this.active.get(entity) ?? this.startSession(entity)).command(name, payload, clientGone);
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const sessions = [...this.active.values(), ...this.retiring.values()];
    for (const session of this.active.values()) session.shutdown();
    await Promise.all(sessions.map((session) => session.stopped));
  }

  abort(): void {
    this.shuttingDown = true;
    for (const session of [...this.active.values(), ...this.retiring.values()]) session.abort();
  }

  private startSession(entity: EntityRef): EntityShell {
    const previous = this.retiring.get(entity)?.stopped;
    const session: EntityShell = new EntityShell({
      entity,
      config: this.options.config,
      journal: this.options.journal,
      snapshotStore: this.options.snapshotStore,
      openStream: this.options.openStream,
      logger: this.options.logger,
      ...(previous ? { previous } : {}),
      ...(this.options.observer ? { observer: this.options.observer } : {}),
      onRetire: () => this.retire(entity, session),
    });
    this.active.set(entity, session);
    this.activeCount++;
    return session;
  }

  private retire(entity: EntityRef, session: EntityShell): void {
    if (this.active.get(entity) !== session) return;
    this.active.delete(entity);
    this.activeCount--;
    this.retiring.set(entity, session);
    void session.stopped.then(() => {
      if (this.retiring.get(entity) === session) this.retiring.delete(entity);
    });
  }
}
