import { create, createFileRegistry, type DescExtension } from "@bufbuild/protobuf";
import type { GenExtension } from "@bufbuild/protobuf/codegenv2";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_descriptor,
  type FieldOptions,
} from "@bufbuild/protobuf/wkt";

/** proto/lightbend/serverless/entitykey.proto, the file that declares the option. */
export const entityKeyFile = create(FileDescriptorProtoSchema, {
  name: "lightbend/serverless/entitykey.proto",
  package: "lightbend.serverless",
  dependency: ["google/protobuf/descriptor.proto"],
  extension: [
    {
      name: "entity_key",
      number: 50002,
      label: FieldDescriptorProto_Label.OPTIONAL,
      type: FieldDescriptorProto_Type.BOOL,
      extendee: ".google.protobuf.FieldOptions",
      jsonName: "entityKey",
    },
  ],
  options: { javaPackage: "com.lightbend.statefulserverless.grpc" },
  syntax: "proto3",
});

/** Knows the option by name, for reading it and for printing it in JSON. */
export const entityKeyRegistry = createFileRegistry(entityKeyFile, (name) =>
  name === "google/protobuf/descriptor.proto" ? file_google_protobuf_descriptor : undefined,
);

/** `(lightbend.serverless.entity_key)`: the field option that marks a field as (part of) an entity's key. */
export const entityKey = entityKeyRegistry.getExtension("lightbend.serverless.entity_key") as DescExtension as GenExtension<
  FieldOptions,
  boolean
>;
