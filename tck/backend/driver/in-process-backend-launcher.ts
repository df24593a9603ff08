import type { BackendLauncher, LaunchedBackend, LaunchRequest } from "./backend-launcher.js";

export interface InProcessBackendLauncherOptions {
  readonly description: string;
  readonly durable: boolean;
  /** Starts one backend in this process (port 0) and describes it. */
  readonly launch: (request: LaunchRequest) => Promise<LaunchedBackend>;
}

/** A backend started in the kit's own process: the self-tests' reference and broken backends. */
export function createInProcessBackendLauncher(options: InProcessBackendLauncherOptions): BackendLauncher {
  return { description: options.description, canRestart: true, durable: options.durable, launch: options.launch };
}
