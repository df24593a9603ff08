import type { BackendStage } from "../driver/backend-stage.js";

// Cucumber world parameters are JSON only; the stage (processes, servers) is
// handed over here by whoever starts the run, in the same process.
let stage: BackendStage | undefined;

export function useBackendStage(value: BackendStage | undefined): void {
  stage = value;
}

export function currentBackendStage(): BackendStage {
  if (!stage) throw new Error("no backend stage: run backend mode through runBackendMode()");
  return stage;
}
