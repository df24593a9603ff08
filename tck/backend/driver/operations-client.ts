import protobuf from "protobufjs";
import type { BackendClient } from "./backend-client.js";

/** The optional capability was not there: the backend answered UNIMPLEMENTED. */
export const notOffered = Symbol("not offered");

/**
 * gRPC health Check of the whole server (service ""), hand-encoded: the request
 * is empty, the response is `{ status = 1 }` (1 SERVING, 2 NOT_SERVING).
 */
export async function checkHealth(client: BackendClient, timeoutMs: number): Promise<string | typeof notOffered> {
  const outcome = await client.unary("/grpc.health.v1.Health/Check", new Uint8Array(0), { timeoutMs });
  if (!outcome.ok) return outcome.codeName === "UNIMPLEMENTED" ? notOffered : `error ${outcome.codeName}: ${outcome.details}`;
  const reader = protobuf.Reader.create(outcome.bytes);
  let status = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 0) status = reader.int32();
    else reader.skipType(tag & 7);
  }
  return ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"][status] ?? `status ${status}`;
}

/**
 * The services server reflection lists (v1, then v1alpha), hand-encoded:
 * `ServerReflectionRequest.list_services = 7`, answered in
 * `list_services_response = 6 { repeated service = 1 { name = 1 } }`.
 */
export async function listServices(client: BackendClient, timeoutMs: number): Promise<string[] | typeof notOffered> {
  const request = protobuf.Writer.create().uint32((7 << 3) | 2).string("").finish();
  for (const version of ["v1", "v1alpha"]) {
    const { responses, outcome } = await client.bidi(`/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`, [request], { timeoutMs });
    if (!outcome.ok && outcome.codeName === "UNIMPLEMENTED") continue;
    const names: string[] = [];
    for (const bytes of responses) {
      const reader = protobuf.Reader.create(bytes);
      while (reader.pos < reader.len) {
        const tag = reader.uint32();
        if (tag >>> 3 !== 6 || (tag & 7) !== 2) {
          reader.skipType(tag & 7);
          continue;
        }
        const list = protobuf.Reader.create(reader.bytes());
        while (list.pos < list.len) {
          const entryTag = list.uint32();
          if (entryTag >>> 3 !== 1 || (entryTag & 7) !== 2) {
            list.skipType(entryTag & 7);
            continue;
          }
          const service = protobuf.Reader.create(list.bytes());
          while (service.pos < service.len) {
            const nameTag = service.uint32();
            if (nameTag >>> 3 === 1 && (nameTag & 7) === 2) names.push(service.string());
            else service.skipType(nameTag & 7);
          }
        }
      }
    }
    return names;
  }
  return notOffered;
}
