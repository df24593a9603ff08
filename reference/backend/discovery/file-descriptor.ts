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

/** FieldDescriptorProto.Type numbers. */
export const FieldType = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  group: 10,
  message: 11,
  bytes: 12,
  uint32: 13,
  enum: 14,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
} as const;

export const labelRepeated = 3;

/** The option as protobufjs names the extension field on FieldOptions. */
export const entityKeyOption = ".lightbend.serverless.entity_key";
