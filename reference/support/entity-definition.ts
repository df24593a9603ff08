/**
 * What a user writes to define an event-sourced entity. Messages are plain
 * objects in protobufjs's conversion (field names as in the .proto file,
 * 64-bit integers as decimal strings, enums as names, bytes as Uint8Array).
 */

/** A decoded protobuf message as a plain object. */
export type ProtoObject = { [field: string]: any };

export interface EventSourcedEntityOptions<State> {
  /** The .proto files to load: paths relative to `includeDirs` (or the project's `proto/` folder), or absolute. */
  readonly protoFiles: readonly string[];
  /** Folders imports resolve against, before the project's `proto/` folder. */
  readonly includeDirs?: readonly string[];
  /** Full name of the gRPC service the backend serves for this entity, e.g. `com.example.shoppingcart.ShoppingCart`. */
  readonly serviceName: string;
  /** Names this entity's journal; never shared with another entity type. */
  readonly persistenceId: string;
  /**
   * A reply carries the state as a snapshot whenever one of its events gets a
   * sequence number that is a multiple of this. 0 or absent: never.
   */
  readonly snapshotEvery?: number;
  /** How the state travels as a snapshot. */
  readonly snapshot: SnapshotFormat<State>;
  /** The state of an entity that has no snapshot and no events. */
  initialState(entityId: string): State;
  /** The handlers that apply in the given state (called for every command and every event). */
  behavior(state: State): Behavior<State>;
}

export interface SnapshotFormat<State> {
  /** Full name of the snapshot message type, e.g. `com.example.shoppingcart.persistence.Cart`. */
  readonly type: string;
  /** The snapshot message for a state; by default the state itself is the message. */
  toMessage?(state: State): ProtoObject;
  /** The state a snapshot message stands for; by default the message itself. */
  fromMessage?(message: ProtoObject): State;
}

export interface Behavior<State> {
  /** By gRPC method name, e.g. `AddItem`. */
  readonly commandHandlers: Readonly<Record<string, CommandHandler<State>>>;
  /**
   * By event type: the simple name (`ItemAdded`) or the full name
   * (`com.example.shoppingcart.persistence.ItemAdded`); the full name wins
   * when both are present.
   */
  readonly eventHandlers: Readonly<Record<string, EventHandler<State>>>;
}

/**
 * Handles one command. Returns the reply (a plain object of the method's
 * output type; `undefined` is the empty message), possibly as a promise.
 * `state` is the state before the command; `context.state` includes the
 * events emitted so far.
 */
export type CommandHandler<State> = (command: any, state: State, context: CommandContext<State>) => unknown;

/**
 * Applies one event and returns the new state. Returning `undefined` keeps
 * the (possibly mutated) state object it was given.
 */
export type EventHandler<State> = (event: any, state: State) => State | undefined | void;

export interface CommandContext<State> {
  readonly entityId: string;
  readonly commandId: number;
  /** The gRPC method name. */
  readonly commandName: string;
  /** The state with every event emitted so far by this command applied. */
  readonly state: State;
  /**
   * Emits an event: `eventType` is a full message type name, or a simple
   * name that is unique among the loaded protos. The event is applied to
   * `state` at once; it is persisted only if the command succeeds.
   */
  emit(eventType: string, event: ProtoObject): void;
  /** Fails the command with this description: its events are discarded, the state is unchanged. */
  fail(description: string): never;
}
