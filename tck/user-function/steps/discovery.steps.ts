import { Then, When } from "@cucumber/cucumber";
import type { TckWorld } from "../world/tck-world.js";

When("the backend asks the user function for its entity spec", async function (this: TckWorld) {
  await this.discovery.ask();
});

When("the backend asks the user function for its entity spec {int} times", async function (this: TckWorld, times: number) {
  await this.discovery.ask(times);
});

Then("the spec names service {string} with persistence id {string}", function (this: TckWorld, service: string, persistenceId: string) {
  this.discovery.expectNames(service, persistenceId);
});

Then("the descriptor parses and every type it uses resolves", function (this: TckWorld) {
  this.discovery.expectParsesWithResolvableImports();
});

Then("every method's input type has an entity key field", function (this: TckWorld) {
  this.discovery.expectEveryMethodKeyed();
});

Then("every answer is the same", function (this: TckWorld) {
  this.discovery.expectSameAnswers();
});
