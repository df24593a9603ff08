import { fileDescriptorProtoType } from "../../../../reference/protocol/index.js";

/**
 * FileDescriptorProto written by hand as data (field names as in descriptor.proto),
 * so the TCK controls every byte of the spec it serves, malformed ones included.
 */
export interface FileDescriptorData {
  readonly name: string;
  readonly package: string;
  readonly dependency: readonly string[];
  readonly message_type: readonly MessageData[];
  readonly enum_type?: readonly EnumData[];
  readonly service: readonly ServiceData[];
  readonly syntax: "proto3";
}

export interface MessageData {
  readonly name: string;
  readonly field: readonly FieldData[];
  readonly oneof_decl?: readonly { readonly name: string }[];
}

export interface FieldData {
  readonly name: string;
  readonly number: number;
  readonly label: FieldLabel;
  readonly type: FieldType;
  /** Fully qualified with a leading dot, for message and enum fields. */
  readonly type_name?: string;
  readonly oneof_index?: number;
  readonly json_name?: string;
  readonly options?: { readonly ".lightbend.serverless.entity_key": boolean };
}

export interface EnumData {
  readonly name: string;
  readonly value: readonly { readonly name: string; readonly number: number }[];
}

export interface ServiceData {
  readonly name: string;
  readonly method: readonly MethodData[];
}

export interface MethodData {
  readonly name: string;
  readonly input_type: string;
  readonly output_type: string;
  readonly client_streaming?: boolean;
  readonly server_streaming?: boolean;
}

/** FieldDescriptorProto.Label values. */
export const FieldLabel = { optional: 1, repeated: 3 } as const;
export type FieldLabel = (typeof FieldLabel)[keyof typeof FieldLabel];

/** FieldDescriptorProto.Type values used by the TCK's subjects. */
export const FieldType = { int64: 3, int32: 5, bool: 8, string: 9, message: 11, uint32: 13, enum: 14, sint64: 18 } as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

/** A field marked `[(lightbend.serverless.entity_key) = true]`. */
export function keyField(name: string, number: number, type: FieldType, typeName?: string): FieldData {
  return { ...plainField(name, number, type, typeName), options: { ".lightbend.serverless.entity_key": true } };
}

export function plainField(name: string, number: number, type: FieldType, typeName?: string): FieldData {
  return { name, number, label: FieldLabel.optional, type, ...(typeName === undefined ? {} : { type_name: typeName }) };
}

export function repeatedField(name: string, number: number, typeName: string): FieldData {
  return { name, number, label: FieldLabel.repeated, type: FieldType.message, type_name: typeName };
}

/**
 * Encodes the data with the protocol's FileDescriptorProto type (snake_case, the
 * entity_key extension known as field option 50002, immune to proto-loader's
 * camelCase descriptor.proto: the instrumented user function's test loads that first).
 */
export function encodeFileDescriptor(data: FileDescriptorData): Uint8Array {
  const type = fileDescriptorProtoType();
  return type.encode(type.fromObject(data as unknown as Record<string, unknown>)).finish();
}
