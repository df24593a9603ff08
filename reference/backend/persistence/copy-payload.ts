import type { AnyPayload } from "../../protocol/index.js";

/** A copy of an Any, so a caller reusing its buffers cannot change what a store holds. */
export function copyPayload(payload: AnyPayload): AnyPayload {
  return { typeUrl: payload.typeUrl, value: Uint8Array.from(payload.value) };
}
