import type { BackendSettings } from "./backend-settings.js";

/** One start of a backend under test. */
export interface LaunchedBackend {
  /** `host:port` where the backend serves the user's service. */
  readonly target: string;
  /** Everything it printed so far (or logged, in process): startup errors are judged on it. */
  output(): string;
  /** Resolves with a description once the backend has stopped by itself (exit, startup failure). */
  readonly exited: Promise<string>;
  /** Stops it gracefully (drain), forcing after a grace period. */
  stop(): Promise<void>;
  /**
   * Kills it at once, with no chance to flush anything (kill -9 of its process group), and resolves
   * once it has exited (H8, crash after acknowledge). Only a backend in its own process has it.
   */
  kill?(): Promise<void>;
}

export interface LaunchRequest {
  /** The instrumented user function's address. */
  readonly userFunction: string;
  readonly settings: BackendSettings;
}

/**
 * Storage faults on demand: only a backend in the kit's own process can offer
 * them (E7, F5); scenarios that need them are not run otherwise.
 */
export interface StorageFaults {
  /** The next journal write for this entity fails as unavailable. */
  failNextJournalWrite(entityId: string): void;
  /** The next snapshot save for this entity fails. */
  failNextSnapshotSave(entityId: string): void;
}

/**
 * How the kit gets a backend: started from a command line, started in process
 * (self-tests), or one started by hand that the kit cannot restart.
 */
export interface BackendLauncher {
  /** A short description for reports, e.g. the command template. */
  readonly description: string;
  /** The kit can stop and start it (restart scenarios, other subjects). */
  readonly canRestart: boolean;
  /** Its journal outlives a restart (H5, A7). */
  readonly durable: boolean;
  readonly storageFaults?: StorageFaults;
  launch(request: LaunchRequest): Promise<LaunchedBackend>;
}
