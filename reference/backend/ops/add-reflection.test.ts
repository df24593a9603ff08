import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { loadProtos } from "../../protocol/index.js";
import { listenAndDrain, type ListeningServer } from "../../protocol/testing/listen-and-drain.js";
import { fileDescriptorType } from "../discovery/descriptor-type.js";
import { encodeFileDescriptor, shoppingCartFile } from "../discovery/descriptor-fixtures.js";
import { validateEntitySpec } from "../discovery/index.js";
import { addReflection } from "./add-reflection.js";

// The reflection protocol's own proto, as @grpc/reflection ships it, so the client here is independent of the server code.
const require = createRequire(import.meta.url);
const reflectionProto = join(dirname(require.resolve("@grpc/reflection/package.json")), "build/proto/grpc/reflection/v1/reflection.proto");
const reflectionRoot = loadProtos([reflectionProto]);
const requestType = reflectionRoot.lookupType("grpc.reflection.v1.ServerReflectionRequest");
const responseType = reflectionRoot.lookupType("grpc.reflection.v1.ServerReflectionResponse");

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  error_response?: { error_code: number; error_message: string };
}

describe("server reflection of the user's service", () => {
  let server: ListeningServer;
  let client: grpc.Client;

  const userFile = encodeFileDescriptor(shoppingCartFile());

  before(async () => {
    const userService = validateEntitySpec({
      proto: userFile,
      serviceName: "com.example.shoppingcart.ShoppingCart",
      persistenceId: "shopping-cart",
    });
    const grpcServer = new grpc.Server();
    addReflection(grpcServer, userService);
    server = await listenAndDrain(grpcServer);
    client = new grpc.Client(server.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await server.close();
  });

  /** One request on a ServerReflectionInfo stream, its one response. */
  function ask(request: object): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const call = client.makeBidiStreamRequest(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        (message: object) => Buffer.from(requestType.encode(requestType.fromObject(message)).finish()),
        (bytes: Buffer) => responseType.decode(bytes) as unknown as ReflectionResponse,
        { deadline: Date.now() + 5_000 },
      );
      call.on("data", (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.on("error", reject);
      call.write(request);
    });
  }

  it("lists the user's service and the health service", async () => {
    const response = await ask({ list_services: "*" });
    assert.deepEqual(
      response.list_services_response?.service.map((s) => s.name),
      ["com.example.shoppingcart.ShoppingCart", "grpc.health.v1.Health"],
    );
  });

  it("answers the user's file byte for byte, its entity_key options (extension 50002 of FieldOptions) intact", async () => {
    const response = await ask({ file_containing_symbol: "com.example.shoppingcart.AddLineItem" });
    const [first] = response.file_descriptor_response?.file_descriptor_proto ?? [];
    assert.ok(first, `no file in the answer: ${JSON.stringify(response.error_response)}`);
    assert.deepEqual(Buffer.from(first), Buffer.from(userFile), "the user's FileDescriptorProto as the user function sent it");
    const decoded = fileDescriptorType().decode(first) as unknown as {
      message_type: { name: string; field: { name: string; options?: Record<string, unknown> }[] }[];
    };
    const userId = decoded.message_type.find((m) => m.name === "AddLineItem")?.field.find((f) => f.name === "user_id");
    assert.equal(
      userId?.options?.[".lightbend.serverless.entity_key"],
      true,
      `user_id's options as a client decodes them: ${JSON.stringify(userId?.options)}`,
    );
  });

  it("describes the health service and the extension's file", async () => {
    const health = await ask({ file_containing_symbol: "grpc.health.v1.Health" });
    const [healthFile] = health.file_descriptor_response?.file_descriptor_proto ?? [];
    assert.ok(healthFile, `no health file: ${JSON.stringify(health.error_response)}`);
    const decoded = fileDescriptorType().decode(healthFile) as unknown as { name: string; service: { method: { name: string }[] }[] };
    assert.equal(decoded.name, "grpc/health/v1/health.proto");
    assert.deepEqual(
      decoded.service[0]?.method.map((m) => m.name),
      ["Check", "Watch"],
    );
    const extension = await ask({
      file_containing_extension: { containing_type: "google.protobuf.FieldOptions", extension_number: 50002 },
    });
    const [extensionFile] = extension.file_descriptor_response?.file_descriptor_proto ?? [];
    assert.ok(extensionFile, `no file for extension 50002: ${JSON.stringify(extension.error_response)}`);
    assert.equal((fileDescriptorType().decode(extensionFile) as unknown as { name: string }).name, "lightbend/serverless/entitykey.proto");
  });

  it("answers NOT_FOUND for an unknown symbol", async () => {
    const response = await ask({ file_containing_symbol: "no.such.Thing" });
    assert.equal(response.error_response?.error_code, grpc.status.NOT_FOUND);
  });

  it("answers the file holding the service, with the files it imports", async () => {
    const response = await ask({ file_containing_symbol: "com.example.shoppingcart.ShoppingCart" });
    assert.ok(!response.error_response, `reflection error: ${response.error_response?.error_message}`);
    const files = (response.file_descriptor_response?.file_descriptor_proto ?? []).map(
      (bytes) => fileDescriptorType().decode(bytes) as unknown as { name: string; service: { name: string; method: { name: string }[] }[] },
    );
    const cart = files.find((f) => f.name === "shoppingcart/shoppingcart.proto");
    assert.ok(cart, `files: ${files.map((f) => f.name).join(", ")}`);
    assert.deepEqual(
      cart.service[0]?.method.map((m) => m.name),
      ["AddItem", "RemoveItem", "GetCart"],
    );
    assert.ok(
      files.some((f) => f.name === "google/protobuf/empty.proto"),
      "the Empty the methods return",
    );
  });

  it("answers a known import by file name", async () => {
    const response = await ask({ file_by_filename: "lightbend/serverless/entitykey.proto" });
    const [first] = response.file_descriptor_response?.file_descriptor_proto ?? [];
    assert.ok(first);
    assert.equal((fileDescriptorType().decode(first) as unknown as { name: string }).name, "lightbend/serverless/entitykey.proto");
  });
});
