import protobuf from "protobufjs";
import { fileDescriptorProtoType } from "../../../../reference/protocol/index.js";

const scalarTypes: Record<string, number> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
const typeMessage = 11;
const typeEnum = 14;

/**
 * The encoded FileDescriptorProto of one loaded .proto file, as a user
 * function's `ready()` sends it: messages, enums, services, and the
 * entity_key field option (which protobufjs keeps only as a parsed option).
 */
export function fileDescriptorOf(root: protobuf.Root, fileName: string, dependencies: readonly string[]): Uint8Array {
  const inFile = (o: protobuf.ReflectionObject) => o.filename !== null && o.filename.endsWith(fileName);
  const messages: unknown[] = [];
  const enums: unknown[] = [];
  const services: unknown[] = [];
  let packageName = "";
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type && inFile(nested)) {
        packageName = nested.parent?.fullName.replace(/^\./, "") ?? "";
        messages.push(messageOf(nested));
      } else if (nested instanceof protobuf.Enum && inFile(nested)) {
        enums.push({ name: nested.name, value: Object.entries(nested.values).map(([name, number]) => ({ name, number })) });
      } else if (nested instanceof protobuf.Service && inFile(nested)) {
        services.push(serviceOf(nested));
      } else if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Type)) {
        visit(nested);
      }
    }
  };
  visit(root);
  const type = fileDescriptorProtoType();
  return type
    .encode(
      type.fromObject({
        name: fileName,
        package: packageName,
        dependency: [...dependencies],
        message_type: messages,
        enum_type: enums,
        service: services,
        syntax: "proto3",
      }),
    )
    .finish();
}

function messageOf(type: protobuf.Type): unknown {
  return {
    name: type.name,
    field: type.fieldsArray.map((field) => {
      field.resolve();
      const scalar = scalarTypes[field.type];
      // protobufjs keys a parsed option by its source spelling: plain or with a leading dot.
      const keyed =
        field.options?.["(lightbend.serverless.entity_key)"] === true || field.options?.["(.lightbend.serverless.entity_key)"] === true;
      const options = keyed ? { ".lightbend.serverless.entity_key": true } : undefined;
      return {
        name: field.name,
        number: field.id,
        label: field.repeated ? 3 : 1,
        type: scalar ?? (field.resolvedType instanceof protobuf.Enum ? typeEnum : typeMessage),
        ...(scalar === undefined ? { type_name: field.resolvedType?.fullName ?? field.type } : {}),
        ...(field.partOf ? { oneof_index: type.oneofsArray.indexOf(field.partOf) } : {}),
        ...(options ? { options } : {}),
      };
    }),
    oneof_decl: type.oneofsArray.map((oneof) => ({ name: oneof.name })),
  };
}

function serviceOf(service: protobuf.Service): unknown {
  return {
    name: service.name,
    method: service.methodsArray.map((method) => {
      method.resolve();
      return {
        name: method.name,
        input_type: method.resolvedRequestType?.fullName ?? method.requestType,
        output_type: method.resolvedResponseType?.fullName ?? method.responseType,
        client_streaming: method.requestStream === true,
        server_streaming: method.responseStream === true,
      };
    }),
  };
}
