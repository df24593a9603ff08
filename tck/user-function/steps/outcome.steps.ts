import { Then } from "@cucumber/cucumber";
import type { TckWorld } from "../world/tck-world.js";

// Shared by both subjects: the run's subject decides whose last command is judged.

Then("the command fails", function (this: TckWorld) {
  if (this.parameters.subject === "model") this.model.expectFailure();
  else this.cart.expectFailure();
});

Then("the command fails with {string}", function (this: TckWorld, description: string) {
  if (this.parameters.subject === "model") this.model.expectFailure(description);
  else this.cart.expectFailure(description);
});
