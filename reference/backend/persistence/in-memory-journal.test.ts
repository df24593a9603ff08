import { createInMemoryJournal } from "./in-memory-journal.js";
import { journalContract } from "./journal-contract.js";
import { journalModelProperty } from "./journal-model-property.js";

journalContract("in-memory", async () => {
  const journal = createInMemoryJournal();
  return { journal, teardown: () => journal.close() };
});

journalModelProperty("in-memory", async () => {
  const journal = createInMemoryJournal();
  return { journal, teardown: () => journal.close() };
});
