import { Then } from "@cucumber/cucumber";
import { notRunMediaType } from "../../kit/run/verdict-collector.js";
import { fileDescriptorProtoType } from "../../../reference/protocol/index.js";
import { checkHealth, fileContainingSymbol, listServices, notOffered } from "../driver/operations-client.js";
import type { BackendWorld } from "../world/backend-world.js";

const notOfferedNote = (world: BackendWorld, capability: string) => {
  world.attach(`not run: optional capability not offered (${capability})`, { mediaType: notRunMediaType });
  return "skipped" as const;
};

Then("server reflection, if offered, lists {string}", async function (this: BackendWorld, service: string) {
  const names = await listServices(await this.client(), this.timeoutMs);
  if (names === notOffered) return notOfferedNote(this, "server reflection");
  if (!names.includes(service)) this.fail(`reflection to list ${service}`, `it lists ${names.join(", ") || "nothing"}`);
  return undefined;
});

Then(/^the backend's health, if offered, is (SERVING|NOT_SERVING)$/, async function (this: BackendWorld, expected: string) {
  const client = await this.stage.currentClient();
  // A backend process may still be starting: ask until it answers at all, for as long as
  // --startup-timeout lets it start (issue 9, item 9: not --timeout, which a loaded machine outruns).
  const until = Date.now() + this.stage.options.startupTimeoutMs;
  let status = await checkHealth(client, this.timeoutMs);
  while (typeof status === "string" && status.startsWith("error UNAVAILABLE") && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await checkHealth(client, this.timeoutMs);
  }
  if (status === notOffered) return notOfferedNote(this, "gRPC health");
  if (status !== expected) this.fail(`health ${expected}`, status);
  return undefined;
});

Then("server reflection, if offered, also lists the health service when health is offered", async function (this: BackendWorld) {
  const client = await this.client();
  const names = await listServices(client, this.timeoutMs);
  if (names === notOffered) return notOfferedNote(this, "server reflection");
  if ((await checkHealth(client, this.timeoutMs)) === notOffered) return notOfferedNote(this, "gRPC health");
  if (!names.includes("grpc.health.v1.Health"))
    this.fail("reflection to list grpc.health.v1.Health (the backend serves it)", `it lists ${names.join(", ") || "nothing"}`);
  return undefined;
});

/** A FileDescriptorProto as the protocol's descriptor type decodes it (field names as in descriptor.proto). */
interface DescriptorShape {
  name?: string;
  package?: string;
  message_type?: Array<{ name?: string; field?: Array<{ name?: string; options?: Record<string, unknown> }> }>;
  service?: Array<{ name?: string }>;
}

/** `Message.field` for every field marked (lightbend.serverless.entity_key) in a file. */
function keyFields(file: DescriptorShape): string[] {
  return (file.message_type ?? []).flatMap((m) =>
    (m.field ?? []).filter((f) => f.options?.[".lightbend.serverless.entity_key"] === true).map((f) => `${m.name}.${f.name}`),
  );
}

Then(
  "server reflection, if offered, serves the user's file for {string} with its entity_key options",
  async function (this: BackendWorld, service: string) {
    const answer = await fileContainingSymbol(await this.client(), this.timeoutMs, service);
    if (answer === notOffered) return notOfferedNote(this, "server reflection");
    if (answer.kind !== "files") {
      this.fail(
        `the file defining ${service}`,
        answer.kind === "error" ? `error ${answer.code}: ${answer.message}` : "no answer to file_containing_symbol",
      );
    }
    const type = fileDescriptorProtoType();
    const decode = (bytes: Uint8Array) => type.toObject(type.decode(bytes), { defaults: false }) as DescriptorShape;
    const sent = decode(this.subject.spec.proto);
    const files = answer.files.map(decode);
    const served = files.find((f) => (f.service ?? []).some((s) => `${f.package ? `${f.package}.` : ""}${s.name}` === service));
    if (!served) this.fail(`among the files served, one defining ${service}`, `files ${files.map((f) => f.name).join(", ") || "none"}`);
    const expected = keyFields(sent).sort();
    if (expected.length === 0) throw new Error(`the kit's own descriptor for ${service} shows no entity_key field: a kit bug`);
    const actual = keyFields(served).sort();
    if (expected.join(",") !== actual.join(",")) {
      this.fail(
        `the user's file as its ready() sent it, options intact: entity_key on ${expected.join(", ")}`,
        `the file reflection serves (${served.name}) marks ${actual.length === 0 ? "no field" : actual.join(", ")} with entity_key`,
      );
    }
    return undefined;
  },
);

Then("server reflection, if offered, answers an unknown symbol with NOT_FOUND", async function (this: BackendWorld) {
  const answer = await fileContainingSymbol(await this.client(), this.timeoutMs, "no.such.Symbol");
  if (answer === notOffered) return notOfferedNote(this, "server reflection");
  // gRPC status code NOT_FOUND = 5, in the reflection protocol's ErrorResponse.
  if (answer.kind !== "error" || answer.code !== 5) {
    this.fail(
      "an error_response with code 5 (NOT_FOUND) for no.such.Symbol",
      answer.kind === "error"
        ? `error code ${answer.code}: ${answer.message}`
        : answer.kind === "files"
          ? `${answer.files.length} file(s)`
          : "no answer",
    );
  }
  return undefined;
});
