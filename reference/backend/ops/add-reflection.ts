import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import type protobuf from "protobufjs";
import { loadProtos } from "../../protocol/index.js";
import { fileDescriptorType } from "../discovery/descriptor-type.js";
import type { UserService } from "../discovery/index.js";
import { healthServiceName } from "./health-service.js";

/*
 * Our own server reflection (v1 and v1alpha) rather than @grpc/reflection's ReflectionService:
 * that library decodes every FileDescriptorProto with protobufjs's descriptor types and encodes
 * it again, which drops the fields those types do not know, custom options included, so a
 * client never saw `(lightbend.serverless.entity_key)`. Here the descriptors are decoded only
 * to index their symbols; every answer carries the bytes exactly as the user function sent them
 * (and the known imports as discovery built them). Only the reflection protocol's .proto files
 * are taken from the @grpc/reflection package.
 */

const require = createRequire(import.meta.url);
const reflectionProtoDir = join(dirname(require.resolve("@grpc/reflection/package.json")), "build/proto/grpc/reflection");

/** One file the reflection service can answer with. */
interface IndexedFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly dependencies: readonly string[];
}

interface DecodedFile {
  name?: string;
  package?: string;
  dependency?: string[];
  message_type?: DecodedMessage[];
  enum_type?: DecodedEnum[];
  service?: { name?: string; method?: { name?: string }[] }[];
  extension?: DecodedExtension[];
}
interface DecodedMessage {
  name?: string;
  field?: { name?: string }[];
  nested_type?: DecodedMessage[];
  enum_type?: DecodedEnum[];
  extension?: DecodedExtension[];
  oneof_decl?: { name?: string }[];
}
interface DecodedEnum {
  name?: string;
  value?: { name?: string }[];
}
interface DecodedExtension {
  name?: string;
  extendee?: string;
  number?: number;
}

/** Symbols, files, services and extensions of a set of encoded FileDescriptorProtos. */
export class DescriptorIndex {
  private readonly files = new Map<string, IndexedFile>();
  private readonly symbols = new Map<string, IndexedFile>();
  /** extendee full name (no leading dot) → field number → file declaring the extension. */
  private readonly extensions = new Map<string, Map<number, IndexedFile>>();
  readonly services: string[] = [];

  /** Adds files; the first file of a name wins. `serve` names the services listed. */
  add(encoded: readonly Uint8Array[], serve: (serviceName: string) => boolean = () => true): void {
    for (const bytes of encoded) {
      const decoded = fileDescriptorType().decode(bytes) as unknown as DecodedFile;
      const name = decoded.name ?? "";
      if (this.files.has(name)) continue;
      const file: IndexedFile = { name, bytes: Buffer.from(bytes), dependencies: decoded.dependency ?? [] };
      this.files.set(name, file);
      this.indexFile(decoded, file, serve);
    }
  }

  fileByName(name: string): IndexedFile | undefined {
    return this.files.get(name);
  }
  fileOfSymbol(symbol: string): IndexedFile | undefined {
    return this.symbols.get(symbol.replace(/^\./, ""));
  }
  fileOfExtension(extendee: string, number: number): IndexedFile | undefined {
    return this.extensions.get(extendee.replace(/^\./, ""))?.get(number);
  }
  extensionNumbersOf(extendee: string): number[] | undefined {
    const numbers = this.extensions.get(extendee.replace(/^\./, ""));
    return numbers ? [...numbers.keys()].sort((a, b) => a - b) : undefined;
  }

  /** `file` first, then what it imports, transitively (each once); imports not held are left out. */
  withDependencies(file: IndexedFile): Buffer[] {
    const seen = new Set<string>();
    const out: Buffer[] = [];
    const visit = (f: IndexedFile) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      out.push(f.bytes);
      for (const dependency of f.dependencies) {
        const held = this.files.get(dependency);
        if (held) visit(held);
      }
    };
    visit(file);
    return out;
  }

  private indexFile(decoded: DecodedFile, file: IndexedFile, serve: (serviceName: string) => boolean): void {
    const scope = decoded.package ? `${decoded.package}.` : "";
    const put = (symbol: string) => {
      if (!this.symbols.has(symbol)) this.symbols.set(symbol, file);
    };
    const putExtension = (prefix: string, extension: DecodedExtension) => {
      put(`${prefix}${extension.name ?? ""}`);
      const extendee = (extension.extendee ?? "").replace(/^\./, "");
      let numbers = this.extensions.get(extendee);
      if (!numbers) this.extensions.set(extendee, (numbers = new Map()));
      if (!numbers.has(extension.number ?? 0)) numbers.set(extension.number ?? 0, file);
    };
    const putEnum = (prefix: string, enumType: DecodedEnum) => {
      put(`${prefix}${enumType.name ?? ""}`);
      // Enum values are scoped beside their enum, as in protoc.
      for (const value of enumType.value ?? []) put(`${prefix}${value.name ?? ""}`);
    };
    const putMessage = (prefix: string, message: DecodedMessage) => {
      const full = `${prefix}${message.name ?? ""}`;
      put(full);
      for (const field of message.field ?? []) put(`${full}.${field.name ?? ""}`);
      for (const oneof of message.oneof_decl ?? []) put(`${full}.${oneof.name ?? ""}`);
      for (const nested of message.nested_type ?? []) putMessage(`${full}.`, nested);
      for (const enumType of message.enum_type ?? []) putEnum(`${full}.`, enumType);
      for (const extension of message.extension ?? []) putExtension(`${full}.`, extension);
    };
    for (const message of decoded.message_type ?? []) putMessage(scope, message);
    for (const enumType of decoded.enum_type ?? []) putEnum(scope, enumType);
    for (const extension of decoded.extension ?? []) putExtension(scope, extension);
    for (const service of decoded.service ?? []) {
      const full = `${scope}${service.name ?? ""}`;
      put(full);
      for (const method of service.method ?? []) put(`${full}.${method.name ?? ""}`);
      if (serve(full) && !this.services.includes(full)) this.services.push(full);
    }
  }
}

let healthFile: Uint8Array | undefined;

/**
 * grpc/health/v1/health.proto as a FileDescriptorProto, so that reflection lists and describes
 * the health service. Built field by field: the file is small and fixed by the gRPC health protocol.
 */
export function healthFileDescriptor(): Uint8Array {
  if (healthFile) return healthFile;
  const optional = 1;
  const typeString = 9;
  const typeEnum = 14;
  const type = fileDescriptorType();
  healthFile = type
    .encode(
      type.fromObject({
        name: "grpc/health/v1/health.proto",
        package: "grpc.health.v1",
        syntax: "proto3",
        message_type: [
          { name: "HealthCheckRequest", field: [{ name: "service", number: 1, label: optional, type: typeString, json_name: "service" }] },
          {
            name: "HealthCheckResponse",
            field: [
              {
                name: "status",
                number: 1,
                label: optional,
                type: typeEnum,
                type_name: ".grpc.health.v1.HealthCheckResponse.ServingStatus",
                json_name: "status",
              },
            ],
            enum_type: [
              {
                name: "ServingStatus",
                value: [
                  { name: "UNKNOWN", number: 0 },
                  { name: "SERVING", number: 1 },
                  { name: "NOT_SERVING", number: 2 },
                  { name: "SERVICE_UNKNOWN", number: 3 },
                ],
              },
            ],
          },
        ],
        service: [
          {
            name: "Health",
            method: [
              { name: "Check", input_type: ".grpc.health.v1.HealthCheckRequest", output_type: ".grpc.health.v1.HealthCheckResponse" },
              {
                name: "Watch",
                input_type: ".grpc.health.v1.HealthCheckRequest",
                output_type: ".grpc.health.v1.HealthCheckResponse",
                server_streaming: true,
              },
            ],
          },
        ],
      }),
    )
    .finish();
  return healthFile;
}

interface ReflectionRequest {
  host?: string;
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: { containing_type?: string; extension_number?: number };
  all_extension_numbers_of_type?: string;
  list_services?: string;
}

class ReflectionFailure extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** The answer to one request, as a plain object for the response type. */
export function answer(index: DescriptorIndex, request: ReflectionRequest): Record<string, unknown> {
  const base = { valid_host: request.host ?? "", original_request: request };
  try {
    return { ...base, ...answerBody(index, request) };
  } catch (error) {
    if (!(error instanceof ReflectionFailure)) throw error;
    return { ...base, error_response: { error_code: error.code, error_message: error.message } };
  }
}

function answerBody(index: DescriptorIndex, request: ReflectionRequest): Record<string, unknown> {
  const files = (file: IndexedFile | undefined, what: string) => {
    if (!file) throw new ReflectionFailure(grpc.status.NOT_FOUND, `${what} not found`);
    return { file_descriptor_response: { file_descriptor_proto: index.withDependencies(file) } };
  };
  if (request.file_by_filename !== undefined) {
    return files(index.fileByName(request.file_by_filename), `file ${JSON.stringify(request.file_by_filename.slice(0, 200))}`);
  }
  if (request.file_containing_symbol !== undefined) {
    return files(
      index.fileOfSymbol(request.file_containing_symbol),
      `symbol ${JSON.stringify(request.file_containing_symbol.slice(0, 200))}`,
    );
  }
  if (request.file_containing_extension !== undefined) {
    const { containing_type = "", extension_number = 0 } = request.file_containing_extension;
    return files(
      index.fileOfExtension(containing_type, extension_number),
      `extension ${extension_number} of ${JSON.stringify(containing_type.slice(0, 200))}`,
    );
  }
  if (request.all_extension_numbers_of_type !== undefined) {
    const numbers = index.extensionNumbersOf(request.all_extension_numbers_of_type);
    if (!numbers)
      throw new ReflectionFailure(
        grpc.status.NOT_FOUND,
        `no extensions of ${JSON.stringify(request.all_extension_numbers_of_type.slice(0, 200))}`,
      );
    return { all_extension_numbers_response: { base_type_name: request.all_extension_numbers_of_type, extension_number: numbers } };
  }
  if (request.list_services !== undefined) {
    return { list_services_response: { service: index.services.map((name) => ({ name })) } };
  }
  throw new ReflectionFailure(grpc.status.INVALID_ARGUMENT, "the request names no question");
}

function reflectionDefinition(version: "v1" | "v1alpha"): grpc.ServiceDefinition {
  const root: protobuf.Root = loadProtos([join(reflectionProtoDir, version, "reflection.proto")]);
  const requestType = root.lookupType(`grpc.reflection.${version}.ServerReflectionRequest`);
  const responseType = root.lookupType(`grpc.reflection.${version}.ServerReflectionResponse`);
  return {
    ServerReflectionInfo: {
      path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      requestStream: true,
      responseStream: true,
      originalName: "serverReflectionInfo",
      requestSerialize: (request: ReflectionRequest) => Buffer.from(requestType.encode(requestType.fromObject(request)).finish()),
      requestDeserialize: (bytes: Buffer) => requestType.toObject(requestType.decode(bytes)) as ReflectionRequest,
      responseSerialize: (response: Record<string, unknown>) =>
        Buffer.from(responseType.encode(responseType.fromObject(response)).finish()),
      responseDeserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes)),
    },
  };
}

/**
 * Adds gRPC server reflection (v1 and v1alpha) describing the user's service (L1) and the health
 * service: the user's file as received, byte for byte (its options intact), the files it imports,
 * and grpc/health/v1/health.proto.
 */
export function addReflection(server: Pick<grpc.Server, "addService">, userService: UserService): void {
  const index = new DescriptorIndex();
  index.add(userService.fileDescriptors, (name) => name === userService.name);
  index.add([healthFileDescriptor()], (name) => name === healthServiceName);
  for (const version of ["v1", "v1alpha"] as const) {
    server.addService(reflectionDefinition(version), {
      ServerReflectionInfo: (call: grpc.ServerDuplexStream<ReflectionRequest, Record<string, unknown>>) => {
        call.on("data", (request: ReflectionRequest) => call.write(answer(index, request)));
        call.on("end", () => call.end());
        call.on("error", () => {});
      },
    });
  }
}
