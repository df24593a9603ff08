import { Given } from "@cucumber/cucumber";
import type { BackendWorld } from "../world/backend-world.js";

Given("the journal fails the next write for entity {string}", function (this: BackendWorld, name: string) {
  this.stage.storageFaults?.failNextJournalWrite(this.entityId(name));
  this.unacknowledged.add(this.entityId(name));
});

Given("the snapshot store fails its next write for entity {string}", function (this: BackendWorld, name: string) {
  this.stage.storageFaults?.failNextSnapshotSave(this.entityId(name));
});
