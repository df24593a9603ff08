import type { BackendLauncher, LaunchedBackend } from "./backend-launcher.js";

/**
 * A backend started by hand at a fixed address, pointed at the kit's user
 * function (see README: "Validate your backend"). The kit cannot restart it, so
 * scenarios that need a restart or another subject are reported as not run.
 */
export function createTargetBackendLauncher(target: string): BackendLauncher {
  return {
    description: `backend started by hand at ${target}`,
    canRestart: false,
    durable: false,
    async launch(): Promise<LaunchedBackend> {
      return {
        target,
        output: () => "(the backend was started by hand; its output is not visible to the kit)",
        // Never resolves: the kit cannot see it exit.
        exited: new Promise<string>(() => {}),
        stop: async () => {},
      };
    },
  };
}
