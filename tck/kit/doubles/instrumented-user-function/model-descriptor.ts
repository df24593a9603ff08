import {
  FieldType,
  keyField,
  plainField,
  repeatedField,
  type FieldData,
  type FileDescriptorData,
  type MessageData,
  type MethodData,
} from "./file-descriptor-data.js";

export const modelPackage = "lightbend.serverless.tck.model";
export const modelServiceName = `${modelPackage}.ModelEntity`;
export const modelPersistenceId = "tck-model";

/**
 * How the model's descriptor is shaped:
 * - `standard`: proto/tck/model.proto as written;
 * - `keys-out-of-order`: CompositeRequest lists its fields in reverse, so a backend
 *   must join composite keys by field number, not declaration order (J2);
 * - `partial`: request types hold only their key fields, as the 2019 JavaScript
 *   library sent them, so a backend that re-encodes requests loses the actions (D12);
 * - `method-without-key`: an extra method whose input has no key field (A3).
 */
export type ModelDescriptorShape = "standard" | "keys-out-of-order" | "partial" | "method-without-key";

const t = (name: string) => `.${modelPackage}.${name}`;

export function modelFileDescriptor(shape: ModelDescriptorShape): FileDescriptorData {
  const partial = shape === "partial";
  const actions = repeatedField("actions", 2, t("RequestAction"));
  const compositeFields: FieldData[] = [
    keyField("part_a", 1, FieldType.string),
    ...(partial ? [] : [actions]),
    keyField("part_b", 3, FieldType.int64),
    keyField("part_c", 4, FieldType.bool),
    keyField("part_d", 5, FieldType.enum, t("Kind")),
  ];
  const messages: MessageData[] = [
    {
      name: "RequestAction",
      field: [
        { ...plainField("emit", 1, FieldType.message, t("Emit")), oneof_index: 0 },
        { ...plainField("fail", 2, FieldType.message, t("Fail")), oneof_index: 0 },
        { ...plainField("respond", 3, FieldType.message, t("Respond")), oneof_index: 0 },
        { ...plainField("throw", 4, FieldType.message, t("Throw")), oneof_index: 0 },
      ],
      oneof_decl: [{ name: "action" }],
    },
    { name: "Emit", field: [plainField("value", 1, FieldType.string)] },
    { name: "Fail", field: [plainField("description", 1, FieldType.string)] },
    { name: "Respond", field: [plainField("message", 1, FieldType.string)] },
    { name: "Throw", field: [plainField("message", 1, FieldType.string)] },
    { name: "Request", field: [keyField("id", 1, FieldType.string), ...(partial ? [] : [actions])] },
    { name: "CompositeRequest", field: shape === "keys-out-of-order" ? [...compositeFields].reverse() : compositeFields },
    { name: "Response", field: [plainField("state", 1, FieldType.string), plainField("message", 2, FieldType.string)] },
    { name: "Appended", field: [plainField("value", 1, FieldType.string)] },
    { name: "State", field: [plainField("value", 1, FieldType.string)] },
  ];
  const methods: MethodData[] = [
    { name: "Process", input_type: t("Request"), output_type: t("Response") },
    { name: "ProcessEmpty", input_type: t("Request"), output_type: ".google.protobuf.Empty" },
    { name: "ProcessComposite", input_type: t("CompositeRequest"), output_type: t("Response") },
    { name: "ProcessStream", input_type: t("Request"), output_type: t("Response"), client_streaming: true, server_streaming: true },
  ];
  if (shape === "method-without-key") {
    messages.push({ name: "Unkeyed", field: [plainField("note", 1, FieldType.string)] });
    methods.push({ name: "ProcessUnkeyed", input_type: t("Unkeyed"), output_type: t("Response") });
  }
  return {
    name: "tck/model.proto",
    package: modelPackage,
    dependency: ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"],
    message_type: messages,
    enum_type: [
      {
        name: "Kind",
        value: [
          { name: "KIND_UNSPECIFIED", number: 0 },
          { name: "KIND_ONE", number: 1 },
          { name: "KIND_TWO", number: 2 },
        ],
      },
    ],
    service: [{ name: "ModelEntity", method: methods }],
    syntax: "proto3",
  };
}
