import type { DescriptorProto, EnumDescriptorProto, FileDescriptorProto } from "@bufbuild/protobuf/wkt";

type SymbolKind = "message" | "enum" | "service" | "package";

/**
 * Every name a descriptor (and the imports the backend knows) defines, and
 * protobuf's scoping rules for the names it uses: a name with a leading dot is
 * fully qualified; any other name is looked up from the innermost scope
 * outwards, the first scope holding its first component deciding
 * (descriptor.proto, `type_name`: "C++-like scoping rules").
 */
export class DescriptorSymbols {
  readonly #symbols = new Map<string, SymbolKind>();
  readonly #messages = new Map<string, DescriptorProto>();
  readonly package: string;

  constructor(file: FileDescriptorProto, imported: readonly string[] = []) {
    this.package = file.package;
    this.#package(this.package);
    const collect = (scope: string, messages: readonly DescriptorProto[], enums: readonly EnumDescriptorProto[]) => {
      for (const e of enums) this.#symbols.set(join(scope, e.name), "enum");
      for (const message of messages) {
        const name = join(scope, message.name);
        this.#symbols.set(name, "message");
        this.#messages.set(name, message);
        collect(name, message.nestedType, message.enumType);
      }
    };
    collect(this.package, file.messageType, file.enumType);
    for (const service of file.service) this.#symbols.set(join(this.package, service.name), "service");
    for (const name of imported) {
      this.#package(name.slice(0, Math.max(0, name.lastIndexOf("."))));
      this.#symbols.set(name, "message");
    }
  }

  #package(name: string): void {
    const parts = name === "" ? [] : name.split(".");
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join(".");
      if (!this.#symbols.has(prefix)) this.#symbols.set(prefix, "package");
    }
  }

  /**
   * The fully qualified name (no leading dot) a type name used in `scope`
   * refers to, or undefined when it names nothing the descriptor or its
   * imports define. `scope` is a fully qualified message or package name.
   */
  resolve(typeName: string, scope: string = this.package): string | undefined {
    if (typeName.startsWith(".")) return this.#isType(typeName.slice(1)) ? typeName.slice(1) : undefined;
    const first = typeName.split(".")[0]!;
    let current: string | undefined = scope;
    for (;;) {
      if (this.#symbols.has(join(current ?? "", first))) {
        const full = join(current ?? "", typeName);
        return this.#isType(full) ? full : undefined;
      }
      if (current === undefined || current === "") return undefined;
      const dot = current.lastIndexOf(".");
      current = dot < 0 ? "" : current.slice(0, dot);
    }
  }

  #isType(name: string): boolean {
    const kind = this.#symbols.get(name);
    return kind === "message" || kind === "enum";
  }

  /** A message the descriptor itself defines, by fully qualified name (no leading dot). */
  message(fullName: string): DescriptorProto | undefined {
    return this.#messages.get(fullName);
  }

  isImported(fullName: string): boolean {
    return this.#isType(fullName) && !this.#messages.has(fullName) && this.#symbols.get(fullName) !== "enum";
  }

  /** Every message the descriptor defines, with its fully qualified name. */
  messages(): Array<[string, DescriptorProto]> {
    return [...this.#messages.entries()];
  }
}

function join(scope: string, name: string): string {
  return scope === "" ? name : `${scope}.${name}`;
}
