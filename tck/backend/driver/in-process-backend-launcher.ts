import type { BackendLauncher, LaunchedBackend, LaunchRequest, StorageFaults } from "./backend-launcher.js";

export interface InProcessBackendLauncherOptions {
  readonly description: string;
  readonly durable: boolean;
  readonly storageFaults?: StorageFaults;
  /** Starts one backend in this process (port 0) and describes it. */
  readonly launch: (request: LaunchRequest) => Promise<LaunchedBackend>;
}

/** A backend started in the kit's own process: the self-tests' reference and broken backends. */
export function createInProcessBackendLauncher(options: InProcessBackendLauncherOptions): BackendLauncher {
  return {
    description: options.description,
    canRestart: true,
    durable: options.durable,
    launch: options.launch,
    ...(options.storageFaults ? { storageFaults: options.storageFaults } : {}),
  };
}
