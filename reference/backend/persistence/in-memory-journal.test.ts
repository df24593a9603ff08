import { createInMemoryJournal } from "./in-memory-journal.js";
import { journalContract } from "./journal-contract.js";

journalContract("in-memory", async () => {
  const journal = createInMemoryJournal();
  return { journal, teardown: () => journal.close() };
});
