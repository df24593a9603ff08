import { FieldLabel } from "../../protocol/index.js";

/**
 * The parts of a decoded `google.protobuf.FileDescriptorProto` discovery reads,
 * as the protocol's protobufjs type decodes them (field names as in
 * descriptor.proto; absent scalars read as their defaults).
 */
export interface FileDescriptor {
  readonly name?: string;
  readonly package?: string;
  readonly dependency?: readonly string[];
  readonly message_type?: readonly MessageDescriptor[];
  readonly enum_type?: readonly EnumDescriptor[];
  readonly service?: readonly ServiceDescriptor[];
}

export interface MessageDescriptor {
  readonly name?: string;
  readonly field?: readonly FieldDescriptor[];
  readonly nested_type?: readonly MessageDescriptor[];
  readonly enum_type?: readonly EnumDescriptor[];
}

export interface FieldDescriptor {
  readonly name?: string;
  readonly number?: number;
  readonly label?: number;
  readonly type?: number;
  readonly type_name?: string;
  readonly options?: Readonly<Record<string, unknown>> | null;
}

export interface EnumDescriptor {
  readonly name?: string;
  readonly value?: readonly { readonly name?: string; readonly number?: number }[];
}

export interface ServiceDescriptor {
  readonly name?: string;
  readonly method?: readonly MethodDescriptor[];
}

export interface MethodDescriptor {
  readonly name?: string;
  readonly input_type?: string;
  readonly output_type?: string;
  readonly client_streaming?: boolean;
  readonly server_streaming?: boolean;
}

export { FieldType } from "../../protocol/index.js";

export const labelRepeated = FieldLabel.repeated;

/** The option as protobufjs names the extension field on FieldOptions. */
export const entityKeyOption = ".lightbend.serverless.entity_key";
