import { Then } from "@cucumber/cucumber";
import type { BackendWorld } from "../world/backend-world.js";

Then("the model predicts every reply while entities are passivated at random points", async function (this: BackendWorld) {
  return "pending";
});

Then("the model predicts every reply while the backend is restarted at random points", async function (this: BackendWorld) {
  return "pending";
});

Then("concurrent calls on a few entities always give serially consistent replies", async function (this: BackendWorld) {
  return "pending";
});
