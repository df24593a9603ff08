import { create, setExtension, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  type DescriptorProtoSchema,
  type MethodDescriptorProtoSchema,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { entityKey } from "../../protocol/entity-key-option.js";

export { FieldDescriptorProto_Type as FieldType } from "@bufbuild/protobuf/wkt";
export type FileDescriptorInit = MessageInitShape<typeof FileDescriptorProtoSchema>;
export type MessageInit = MessageInitShape<typeof DescriptorProtoSchema>;
export type MethodInit = MessageInitShape<typeof MethodDescriptorProtoSchema>;

/** A proto3 file, importing empty.proto and entitykey.proto unless told otherwise, as the TCK's subjects do. */
export function fileDescriptor(init: Omit<Exclude<FileDescriptorInit, FileDescriptorProto>, "syntax">): FileDescriptorProto {
  return create(FileDescriptorProtoSchema, {
    dependency: ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"],
    ...init,
    syntax: "proto3",
  });
}

/** A field marked `[(lightbend.serverless.entity_key) = true]`. */
export function keyField(name: string, number: number, type: FieldDescriptorProto_Type, typeName?: string): FieldDescriptorProto {
  const field = plainField(name, number, type, typeName);
  field.options = create(FieldOptionsSchema);
  setExtension(field.options, entityKey, true);
  return field;
}

export function plainField(
  name: string,
  number: number,
  type: FieldDescriptorProto_Type,
  typeName?: string,
  oneofIndex?: number,
): FieldDescriptorProto {
  return create(FieldDescriptorProtoSchema, {
    name,
    number,
    label: FieldDescriptorProto_Label.OPTIONAL,
    type,
    ...(typeName === undefined ? {} : { typeName }),
    ...(oneofIndex === undefined ? {} : { oneofIndex }),
  });
}

export function repeatedField(name: string, number: number, typeName: string): FieldDescriptorProto {
  return create(FieldDescriptorProtoSchema, {
    name,
    number,
    label: FieldDescriptorProto_Label.REPEATED,
    type: FieldDescriptorProto_Type.MESSAGE,
    typeName,
  });
}

export function encodeFileDescriptor(file: FileDescriptorProto): Uint8Array {
  return toBinary(FileDescriptorProtoSchema, file);
}
