import { fileDescriptorProtoType, type EntitySpec } from "../../reference/protocol/index.js";
import type { KitContext } from "./kit-context.js";

interface FieldDescriptor {
  name: string;
  type_name?: string;
  options?: Record<string, unknown>;
}
interface MessageDescriptor {
  name: string;
  field?: FieldDescriptor[];
  nested_type?: MessageDescriptor[];
}
interface FileDescriptor {
  name?: string;
  package?: string;
  dependency?: string[];
  message_type?: MessageDescriptor[];
  enum_type?: Array<{ name: string }>;
  service?: Array<{ name: string; method?: Array<{ name: string; input_type: string; output_type: string }> }>;
}

/** Files a user function may import: the backend knows them without being sent them. */
const knownImports: Record<string, readonly string[]> = {
  "google/protobuf/empty.proto": ["google.protobuf.Empty"],
  "google/protobuf/any.proto": ["google.protobuf.Any"],
  "google/protobuf/timestamp.proto": ["google.protobuf.Timestamp"],
  "google/protobuf/duration.proto": ["google.protobuf.Duration"],
  "google/protobuf/wrappers.proto": [
    "google.protobuf.StringValue", "google.protobuf.BytesValue", "google.protobuf.BoolValue", "google.protobuf.Int32Value",
    "google.protobuf.Int64Value", "google.protobuf.UInt32Value", "google.protobuf.UInt64Value", "google.protobuf.FloatValue",
    "google.protobuf.DoubleValue",
  ],
  "google/protobuf/struct.proto": ["google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.NullValue"],
  "google/protobuf/descriptor.proto": [],
  "lightbend/serverless/entitykey.proto": [],
};

const entityKeyOption = ".lightbend.serverless.entity_key";

/** Discovery (A1–A4): what `ready()` answers, judged. */
export class DiscoveryCheck {
  readonly #specs: EntitySpec[] = [];

  constructor(private readonly kit: KitContext) {}

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

  expectNames(serviceName: string, persistenceId: string): void {
    const spec = this.#spec;
    if (spec.proto.length === 0) this.kit.fail("a non-empty descriptor in the EntitySpec", "an empty descriptor");
    if (spec.serviceName !== serviceName) this.kit.fail(`service name ${JSON.stringify(serviceName)}`, `service name ${JSON.stringify(spec.serviceName)}`);
    if (spec.persistenceId !== persistenceId) {
      this.kit.fail(`persistence id ${JSON.stringify(persistenceId)}`, `persistence id ${JSON.stringify(spec.persistenceId)}`);
    }
  }

  #file(): FileDescriptor {
    const type = fileDescriptorProtoType();
    try {
      return type.toObject(type.decode(this.#spec.proto), { defaults: false }) as FileDescriptor;
    } catch (error) {
      return this.kit.fail("a descriptor that parses as a FileDescriptorProto", `undecodable: ${(error as Error).message}`);
    }
  }

  #service(file: FileDescriptor) {
    const serviceName = this.#spec.serviceName;
    const pkg = file.package ? `${file.package}.` : "";
    const service = (file.service ?? []).find((s) => pkg + s.name === serviceName);
    if (!service) {
      const present = (file.service ?? []).map((s) => pkg + s.name);
      this.kit.fail(`the descriptor defines service ${serviceName}`, present.length === 0 ? "no services" : `services ${present.join(", ")}`);
    }
    return service;
  }

  /** A2: the descriptor parses, holds the named service, and every type it uses is defined or importable. */
  expectParsesWithResolvableImports(): void {
    const file = this.#file();
    const service = this.#service(file);
    const defined = new Set<string>();
    const pkg = file.package ? `.${file.package}` : "";
    const collect = (prefix: string, messages: readonly MessageDescriptor[]) => {
      for (const message of messages) {
        defined.add(`${prefix}.${message.name}`);
        collect(`${prefix}.${message.name}`, message.nested_type ?? []);
      }
    };
    collect(pkg, file.message_type ?? []);
    for (const e of file.enum_type ?? []) defined.add(`${pkg}.${e.name}`);
    for (const dependency of file.dependency ?? []) {
      const provides = knownImports[dependency];
      if (!provides) this.kit.fail(`imports the backend can resolve (${Object.keys(knownImports).join(", ")})`, `an import of ${JSON.stringify(dependency)}`);
      for (const name of provides) defined.add(`.${name}`);
    }
    const unresolved: string[] = [];
    for (const method of service.method ?? []) {
      for (const typeName of [method.input_type, method.output_type]) if (!defined.has(typeName)) unresolved.push(`${method.name}: ${typeName}`);
    }
    const visit = (messages: readonly MessageDescriptor[]) => {
      for (const message of messages) {
        for (const field of message.field ?? []) if (field.type_name && !defined.has(field.type_name)) unresolved.push(`${message.name}.${field.name}: ${field.type_name}`);
        visit(message.nested_type ?? []);
      }
    };
    visit(file.message_type ?? []);
    if (unresolved.length > 0) this.kit.fail("every type the descriptor uses is defined in it or in an import", `unresolved ${unresolved.join("; ")}`);
  }

  /** A3: every method's input type has at least one entity_key field. */
  expectEveryMethodKeyed(): void {
    const file = this.#file();
    const service = this.#service(file);
    const pkg = file.package ? `.${file.package}` : "";
    const messages = new Map((file.message_type ?? []).map((m) => [`${pkg}.${m.name}`, m]));
    const unkeyed = (service.method ?? []).filter((method) => {
      const input = messages.get(method.input_type);
      return !input || !(input.field ?? []).some((f) => f.options?.[entityKeyOption] === true);
    });
    if (unkeyed.length > 0) {
      this.kit.fail("every method's input type has a field marked (lightbend.serverless.entity_key)", `no key field for ${unkeyed.map((m) => `${m.name}(${m.input_type})`).join(", ")}`);
    }
    if ((service.method ?? []).length === 0) this.kit.fail("a service with methods", "a service with no methods");
  }

  /** A4: every answer is byte for byte the first. */
  expectSameAnswers(): void {
    const [first, ...rest] = this.#specs;
    if (!first) throw new Error("the scenario never asked for the spec");
    rest.forEach((spec, i) => {
      const same = spec.serviceName === first.serviceName && spec.persistenceId === first.persistenceId && Buffer.from(spec.proto).equals(Buffer.from(first.proto));
      if (!same) this.kit.fail("the same EntitySpec on every ready() call", `answer ${i + 2} differs from the first`);
    });
  }
}
