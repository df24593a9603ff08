import { fromBinary, getExtension, toJsonString } from "@bufbuild/protobuf";
import {
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { typeUrlPrefix, type EntitySpec } from "../../../reference/protocol/index.js";
import type { Transcript } from "../transcript/transcript.js";
import { DescriptorSymbols } from "./descriptor-symbols.js";
import { entityKey, entityKeyFile, entityKeyRegistry } from "./entity-key-option.js";
import type { ReadyResult } from "./ready-result.js";

/** Files a user function may import, with the types they define: the backend knows them without being sent them. */
const knownImports = new Map<string, readonly string[]>([
  ...[
    file_google_protobuf_empty,
    file_google_protobuf_any,
    file_google_protobuf_timestamp,
    file_google_protobuf_duration,
    file_google_protobuf_wrappers,
    file_google_protobuf_struct,
  ].map((file) => [file.proto.name, [...file.messages, ...file.enums].map((type) => type.typeName)] as const),
  // Imported for the options they declare; a spec may not use their types.
  ["google/protobuf/descriptor.proto", []],
  [entityKeyFile.name, []],
]);

/** What the discovery checks need: a way to call `ready()` and to fail (intercept mode passes its own). */
export interface DiscoveryContext {
  driver(): { ready(): Promise<ReadyResult> };
  /** Ends the step with an expectation failure carrying the transcript so far. */
  fail(expected: string, actual: string): never;
}

/** Discovery (A1–A4): what `ready()` answers, judged. */
export class DiscoveryCheck {
  readonly #specs: EntitySpec[] = [];

  constructor(private readonly kit: DiscoveryContext) {}

  async ask(times = 1): Promise<void> {
    for (let i = 0; i < times; i++) {
      const result = await this.kit.driver().ready();
      if (!result.ok) this.kit.fail("ready() answers an EntitySpec", `ready() failed with code ${result.code}: ${result.details}`);
      this.#specs.push(result.spec);
    }
  }

  get #spec(): EntitySpec {
    const spec = this.#specs[0];
    if (!spec) throw new Error("the scenario never asked for the spec");
    return spec;
  }

  /** A1 for any subject: a descriptor, a service name and a persistence id, none empty. */
  expectNonEmpty(): void {
    const spec = this.#spec;
    const empty = [
      spec.proto.length === 0 ? "the descriptor" : undefined,
      spec.serviceName === "" ? "the service name" : undefined,
      spec.persistenceId === "" ? "the persistence id" : undefined,
    ].filter((e) => e !== undefined);
    if (empty.length > 0)
      this.kit.fail("a non-empty descriptor, service name and persistence id in the EntitySpec", `empty ${empty.join(", ")}`);
  }

  expectNames(serviceName: string, persistenceId: string): void {
    const spec = this.#spec;
    if (spec.proto.length === 0) this.kit.fail("a non-empty descriptor in the EntitySpec", "an empty descriptor");
    if (spec.serviceName !== serviceName)
      this.kit.fail(`service name ${JSON.stringify(serviceName)}`, `service name ${JSON.stringify(spec.serviceName)}`);
    if (spec.persistenceId !== persistenceId) {
      this.kit.fail(`persistence id ${JSON.stringify(persistenceId)}`, `persistence id ${JSON.stringify(spec.persistenceId)}`);
    }
  }

  #file(): FileDescriptorProto {
    try {
      return fromBinary(FileDescriptorProtoSchema, this.#spec.proto);
    } catch (error) {
      return this.kit.fail("a descriptor that parses as a FileDescriptorProto", `undecodable: ${(error as Error).message}`);
    }
  }

  #service(file: FileDescriptorProto) {
    const serviceName = this.#spec.serviceName;
    const pkg = file.package ? `${file.package}.` : "";
    const service = file.service.find((s) => pkg + s.name === serviceName);
    if (!service) {
      const present = file.service.map((s) => pkg + s.name);
      this.kit.fail(
        `the descriptor defines service ${serviceName}`,
        present.length === 0 ? "no services" : `services ${present.join(", ")}`,
      );
    }
    return service;
  }

  /** Every type the descriptor defines, plus those of the imports the backend knows (failing A2 on any other import). */
  #symbols(file: FileDescriptorProto): DescriptorSymbols {
    const imported: string[] = [];
    for (const dependency of file.dependency) {
      const provides = knownImports.get(dependency);
      if (!provides)
        this.kit.fail(
          `imports the backend can resolve (${[...knownImports.keys()].join(", ")})`,
          `an import of ${JSON.stringify(dependency)}`,
        );
      imported.push(...provides);
    }
    return new DescriptorSymbols(file, imported);
  }

  /** A2: the descriptor parses, holds the named service, and every type it uses is defined or importable (protobuf's scoping rules). */
  expectParsesWithResolvableImports(): void {
    const file = this.#file();
    const service = this.#service(file);
    const symbols = this.#symbols(file);
    const unresolved: string[] = [];
    const where = (scope: string) => (scope === "" ? "at the top level" : `in scope ${scope}`);
    for (const method of service.method) {
      for (const [role, typeName] of [
        ["input", method.inputType],
        ["output", method.outputType],
      ] as const) {
        if (!typeName) unresolved.push(`${method.name}: no ${role} type`);
        else if (!symbols.resolve(typeName))
          unresolved.push(`${method.name} ${role} type ${JSON.stringify(typeName)} (looked up ${where(symbols.package)})`);
      }
    }
    for (const [fullName, message] of symbols.messages()) {
      for (const field of message.field) {
        if (field.typeName && !symbols.resolve(field.typeName, fullName)) {
          unresolved.push(`${fullName}.${field.name}: ${JSON.stringify(field.typeName)} (looked up ${where(fullName)})`);
        }
      }
    }
    if (unresolved.length > 0)
      this.kit.fail("every type the descriptor uses is defined in it or in an import", `unresolved ${unresolved.join("; ")}`);
  }

  /** A3: every method's input type, resolved by protobuf's scoping rules, is a message of the descriptor with at least one entity_key field. */
  expectEveryMethodKeyed(): void {
    const file = this.#file();
    const service = this.#service(file);
    if (service.method.length === 0) this.kit.fail("a service with methods", "a service with no methods");
    const symbols = this.#symbols(file);
    const problems: string[] = [];
    for (const method of service.method) {
      const declared = JSON.stringify(method.inputType);
      const resolved = method.inputType ? symbols.resolve(method.inputType) : undefined;
      const input = resolved === undefined ? undefined : symbols.message(resolved);
      if (resolved === undefined)
        problems.push(`${method.name}: its input type ${declared} names no message of the descriptor or its imports`);
      else if (!input)
        problems.push(
          `${method.name}: its input type ${declared} is ${resolved}, ${symbols.isImported(resolved) ? "an imported message" : "not a message"}, with no field of the descriptor`,
        );
      else if (!input.field.some(isEntityKey)) {
        const fields = input.field.map((f) => f.name + optionsOf(f));
        problems.push(
          `${method.name}: its input type ${declared} (${resolved}) has no field marked entity_key; its fields: ${fields.length === 0 ? "none" : fields.join(", ")}`,
        );
      }
    }
    if (problems.length > 0)
      this.kit.fail("every method's input type has a field marked (lightbend.serverless.entity_key)", problems.join("; "));
  }

  /**
   * D11 against the descriptor: every reply in the transcript carries, as its
   * payload's type url, the output type the descriptor declares for the method
   * its command named (resolved by protobuf's scoping rules). Request types are
   * not compared: the backend forwards request bytes unchanged and needs only
   * their key fields (A3).
   */
  expectRepliesOfDeclaredTypes(transcript: Transcript): void {
    const file = this.#file();
    const service = this.#service(file);
    const symbols = this.#symbols(file);
    const methods = new Map(service.method.map((m) => [m.name, m]));
    const sent = new Map<string, string>();
    const carried = new Map<string, Set<string>>();
    for (const entry of transcript.entries) {
      if (entry.kind === "sent" && entry.message.case === "command") sent.set(`${entry.stream} ${entry.message.id}`, entry.message.name);
      if (entry.kind === "received" && entry.message.case === "reply") {
        const method = sent.get(`${entry.stream} ${entry.message.commandId}`);
        if (method === undefined || !methods.has(method)) continue;
        const typeUrl = entry.message.payload?.typeUrl ?? "(no payload)";
        carried.set(method, (carried.get(method) ?? new Set()).add(typeUrl));
      }
    }
    if (carried.size === 0) throw new Error("the scenario got no reply to any method of the service");
    const problems: string[] = [];
    for (const [name, typeUrls] of carried) {
      const declared = methods.get(name)!.outputType;
      const resolved = symbols.resolve(declared);
      if (resolved === undefined) {
        problems.push(`${name} is declared to return ${JSON.stringify(declared)}, which names no message (see A2)`);
        continue;
      }
      const wrong = [...typeUrls].filter((url) => url !== typeUrlPrefix + resolved);
      if (wrong.length > 0) {
        const what = wrong.map((url) => (url.startsWith(typeUrlPrefix) ? url.slice(typeUrlPrefix.length) : url)).join(", ");
        problems.push(`${name} is declared to return ${resolved} but its replies carry ${what}`);
      }
    }
    if (problems.length > 0)
      this.kit.fail(
        "every reply's payload of the output type its method declares (type.googleapis.com/<declared output type>)",
        problems.join("; "),
      );
  }

  /** A4: every answer is byte for byte the first. */
  expectSameAnswers(): void {
    const [first, ...rest] = this.#specs;
    if (!first) throw new Error("the scenario never asked for the spec");
    rest.forEach((spec, i) => {
      const same =
        spec.serviceName === first.serviceName &&
        spec.persistenceId === first.persistenceId &&
        Buffer.from(spec.proto).equals(Buffer.from(first.proto));
      if (!same) this.kit.fail("the same EntitySpec on every ready() call", `answer ${i + 2} differs from the first`);
    });
  }
}

function isEntityKey(field: FieldDescriptorProto): boolean {
  return field.options !== undefined && getExtension(field.options, entityKey);
}

/** A field's options as JSON, entity_key by its name (` (options {...})`), or nothing when it has none. */
function optionsOf(field: FieldDescriptorProto): string {
  if (field.options === undefined) return "";
  const json = toJsonString(FieldOptionsSchema, field.options, { registry: entityKeyRegistry, useProtoFieldName: true });
  return json === "{}" ? "" : ` (options ${json})`;
}
