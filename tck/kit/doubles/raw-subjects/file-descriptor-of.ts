import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, type FieldDescriptorProto } from "@bufbuild/protobuf/wkt";
import protobuf from "protobufjs";
import {
  encodeFileDescriptor,
  fileDescriptor,
  keyField,
  plainField,
  type MessageInit,
  type MethodInit,
} from "../instrumented-user-function/file-descriptor.js";

/**
 * The encoded FileDescriptorProto of one loaded .proto file, as a user
 * function's `ready()` sends it: messages, enums, services, and the
 * entity_key field option (which protobufjs keeps only as a parsed option).
 */
export function fileDescriptorOf(root: protobuf.Root, fileName: string, dependencies: readonly string[]): Uint8Array {
  const inFile = (o: protobuf.ReflectionObject) => o.filename !== null && o.filename.endsWith(fileName);
  const messages: MessageInit[] = [];
  const enums: Array<{ name: string; value: Array<{ name: string; number: number }> }> = [];
  const methods: Array<{ name: string; method: MethodInit[] }> = [];
  let packageName = "";
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type && inFile(nested)) {
        packageName = nested.parent?.fullName.replace(/^\./, "") ?? "";
        messages.push({
          name: nested.name,
          field: nested.fieldsArray.map((f) => fieldOf(nested, f)),
          oneofDecl: nested.oneofsArray.map((o) => ({ name: o.name })),
        });
      } else if (nested instanceof protobuf.Enum && inFile(nested)) {
        enums.push({ name: nested.name, value: Object.entries(nested.values).map(([name, number]) => ({ name, number })) });
      } else if (nested instanceof protobuf.Service && inFile(nested)) {
        methods.push({ name: nested.name, method: nested.methodsArray.map(methodOf) });
      } else if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Type)) {
        visit(nested);
      }
    }
  };
  visit(root);
  return encodeFileDescriptor(
    fileDescriptor({
      name: fileName,
      package: packageName,
      dependency: [...dependencies],
      messageType: messages,
      enumType: enums,
      service: methods,
    }),
  );
}

function fieldOf(type: protobuf.Type, field: protobuf.Field): FieldDescriptorProto {
  field.resolve();
  const scalar = (FieldDescriptorProto_Type as Record<string, FieldDescriptorProto_Type | string>)[field.type.toUpperCase()];
  const kind =
    typeof scalar === "number"
      ? scalar
      : field.resolvedType instanceof protobuf.Enum
        ? FieldDescriptorProto_Type.ENUM
        : FieldDescriptorProto_Type.MESSAGE;
  const typeName = typeof scalar === "number" ? undefined : (field.resolvedType?.fullName ?? field.type);
  const oneofIndex = field.partOf ? type.oneofsArray.indexOf(field.partOf) : undefined;
  // protobufjs keys a parsed option by its source spelling: plain or with a leading dot.
  const keyed =
    field.options?.["(lightbend.serverless.entity_key)"] === true || field.options?.["(.lightbend.serverless.entity_key)"] === true;
  const written = keyed ? keyField(field.name, field.id, kind, typeName) : plainField(field.name, field.id, kind, typeName);
  if (field.repeated) written.label = FieldDescriptorProto_Label.REPEATED;
  if (oneofIndex !== undefined) written.oneofIndex = oneofIndex;
  return written;
}

function methodOf(method: protobuf.Method): MethodInit {
  method.resolve();
  return {
    name: method.name,
    inputType: method.resolvedRequestType?.fullName ?? method.requestType,
    outputType: method.resolvedResponseType?.fullName ?? method.responseType,
    clientStreaming: method.requestStream === true,
    serverStreaming: method.responseStream === true,
  };
}
