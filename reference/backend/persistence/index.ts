export type { Journal, PersistedEvent, ReplayRange } from "./journal.js";
export type { SnapshotStore, StoredSnapshot } from "./snapshot-store.js";
export { StorageError, type StorageErrorKind } from "./storage-error.js";
export { createInMemoryJournal } from "./in-memory-journal.js";
export { createInMemorySnapshotStore } from "./in-memory-snapshot-store.js";
export { watchJournalAvailability, type JournalAvailabilityOptions, type WatchedJournal } from "./journal-availability.js";
