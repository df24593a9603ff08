import { createInMemorySnapshotStore } from "./in-memory-snapshot-store.js";
import { snapshotStoreContract } from "./snapshot-store-contract.js";

snapshotStoreContract("in-memory", async () => {
  const snapshotStore = createInMemorySnapshotStore();
  return { snapshotStore, teardown: () => snapshotStore.close() };
});
