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
  const request = protobuf.Writer.create()
    .uint32((7 << 3) | 2)
    .string("")
    .finish();
  for (const version of ["v1", "v1alpha"]) {
    const { responses, outcome } = await client.bidi(`/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`, [request], {
      timeoutMs,
    });
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

/** What server reflection answered to one request: the responses' bytes, or that it is not offered. */
async function reflect(client: BackendClient, timeoutMs: number, request: Uint8Array): Promise<Uint8Array[] | typeof notOffered> {
  for (const version of ["v1", "v1alpha"]) {
    const { responses, outcome } = await client.bidi(`/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`, [request], {
      timeoutMs,
    });
    if (!outcome.ok && outcome.codeName === "UNIMPLEMENTED") continue;
    return responses;
  }
  return notOffered;
}

export type SymbolAnswer =
  | { readonly kind: "files"; readonly files: readonly Uint8Array[] }
  | { readonly kind: "error"; readonly code: number; readonly message: string }
  | { readonly kind: "nothing" };

/**
 * `file_containing_symbol = 4` (hand-encoded like listServices), answered in
 * `file_descriptor_response = 4 { repeated bytes file_descriptor_proto = 1 }` or
 * `error_response = 7 { int32 error_code = 1; string error_message = 2 }`.
 */
export async function fileContainingSymbol(
  client: BackendClient,
  timeoutMs: number,
  symbol: string,
): Promise<SymbolAnswer | typeof notOffered> {
  const request = protobuf.Writer.create()
    .uint32((4 << 3) | 2)
    .string(symbol)
    .finish();
  const responses = await reflect(client, timeoutMs, request);
  if (responses === notOffered) return notOffered;
  for (const bytes of responses) {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      if ((field === 4 || field === 7) && (tag & 7) === 2) {
        const inner = protobuf.Reader.create(reader.bytes());
        const files: Uint8Array[] = [];
        let code = 0;
        let message = "";
        while (inner.pos < inner.len) {
          const innerTag = inner.uint32();
          if (field === 4 && innerTag >>> 3 === 1 && (innerTag & 7) === 2) files.push(inner.bytes());
          else if (field === 7 && innerTag >>> 3 === 1 && (innerTag & 7) === 0) code = inner.int32();
          else if (field === 7 && innerTag >>> 3 === 2 && (innerTag & 7) === 2) message = inner.string();
          else inner.skipType(innerTag & 7);
        }
        return field === 4 ? { kind: "files", files } : { kind: "error", code, message };
      }
      reader.skipType(tag & 7);
    }
  }
  return { kind: "nothing" };
}
