import { Then } from "@cucumber/cucumber";
import { notRunMediaType } from "../../run/verdict-collector.js";
import { checkHealth, listServices, notOffered } from "../driver/operations-client.js";
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
