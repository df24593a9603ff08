import * as grpc from "@grpc/grpc-js";
import { readyPath } from "../../../reference/protocol/index.js";
import { PreflightError } from "../../kit/run/preflight-error.js";
import { createBackendClient } from "../driver/backend-client.js";
import { BackendStartError } from "../driver/backend-stage.js";
import { modelMethodPath } from "../driver/model-requests.js";

/**
 * Before any scenario, for a backend started by hand (`--target`): something answers gRPC there and it
 * is not a user function. A backend that has not finished discovery (UNIMPLEMENTED for the model's
 * method) passes: the first start waits for it up to --startup-timeout, as every scenario would.
 * Each call is bounded by `--timeout`.
 */
export async function preflightBackendTarget(target: string, timeoutMs: number): Promise<void> {
  const client = createBackendClient(target);
  try {
    const process = modelMethodPath("Process");
    const served = await client.unary(process, new Uint8Array(0), { timeoutMs });
    if (!served.ok && served.code === grpc.status.UNAVAILABLE) {
      throw new PreflightError(
        `cannot reach a backend at ${target}: ${process} failed UNAVAILABLE (${served.details}); is it running, on that port?`,
      );
    }
    if (!served.ok && served.code === grpc.status.DEADLINE_EXCEEDED) {
      throw new PreflightError(`no answer from a backend at ${target} within ${timeoutMs} ms (--timeout): ${process} got no status`);
    }
    // google.protobuf.Empty is zero bytes: a user function answers it with its EntitySpec.
    const ready = await client.unary(readyPath, new Uint8Array(0), { timeoutMs });
    if (ready.ok) {
      throw new PreflightError(
        `${target} serves ${readyPath.slice(1)}: it is a user function, not a backend (certify it with: tck user-function --target ${target})`,
      );
    }
  } finally {
    client.close();
  }
}

/**
 * The first start of the backend (on the model subject, with the run's settings) failed: nothing can be
 * judged. Says why in its first line; what the backend printed follows it.
 */
export function backendStartPreflightError(error: BackendStartError): PreflightError {
  return new PreflightError(`the backend never came to serve, so no scenario can be judged: ${error.message}`);
}
