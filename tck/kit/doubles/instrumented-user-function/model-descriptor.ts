import type { FieldDescriptorProto, FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { FieldType, fileDescriptor, keyField, plainField, repeatedField, type MessageInit, type MethodInit } from "./file-descriptor.js";

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

export function modelFileDescriptor(shape: ModelDescriptorShape): FileDescriptorProto {
  const partial = shape === "partial";
  const actions = repeatedField("actions", 2, t("RequestAction"));
  const compositeFields: FieldDescriptorProto[] = [
    keyField("part_a", 1, FieldType.STRING),
    ...(partial ? [] : [actions]),
    keyField("part_b", 3, FieldType.INT64),
    keyField("part_c", 4, FieldType.BOOL),
    keyField("part_d", 5, FieldType.ENUM, t("Kind")),
  ];
  const messages: MessageInit[] = [
    {
      name: "RequestAction",
      field: [
        plainField("emit", 1, FieldType.MESSAGE, t("Emit"), 0),
        plainField("fail", 2, FieldType.MESSAGE, t("Fail"), 0),
        plainField("respond", 3, FieldType.MESSAGE, t("Respond"), 0),
        plainField("throw", 4, FieldType.MESSAGE, t("Throw"), 0),
      ],
      oneofDecl: [{ name: "action" }],
    },
    { name: "Emit", field: [plainField("value", 1, FieldType.STRING)] },
    { name: "Fail", field: [plainField("description", 1, FieldType.STRING)] },
    { name: "Respond", field: [plainField("message", 1, FieldType.STRING)] },
    { name: "Throw", field: [plainField("message", 1, FieldType.STRING)] },
    { name: "Request", field: [keyField("id", 1, FieldType.STRING), ...(partial ? [] : [actions])] },
    { name: "CompositeRequest", field: shape === "keys-out-of-order" ? [...compositeFields].reverse() : compositeFields },
    { name: "Response", field: [plainField("state", 1, FieldType.STRING), plainField("message", 2, FieldType.STRING)] },
    { name: "Appended", field: [plainField("value", 1, FieldType.STRING)] },
    { name: "State", field: [plainField("value", 1, FieldType.STRING)] },
  ];
  const methods: MethodInit[] = [
    { name: "Process", inputType: t("Request"), outputType: t("Response") },
    { name: "ProcessEmpty", inputType: t("Request"), outputType: ".google.protobuf.Empty" },
    { name: "ProcessComposite", inputType: t("CompositeRequest"), outputType: t("Response") },
    { name: "ProcessStream", inputType: t("Request"), outputType: t("Response"), clientStreaming: true, serverStreaming: true },
  ];
  if (shape === "method-without-key") {
    messages.push({ name: "Unkeyed", field: [plainField("note", 1, FieldType.STRING)] });
    methods.push({ name: "ProcessUnkeyed", inputType: t("Unkeyed"), outputType: t("Response") });
  }
  return fileDescriptor({
    name: "tck/model.proto",
    package: modelPackage,
    messageType: messages,
    enumType: [
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
  });
}
