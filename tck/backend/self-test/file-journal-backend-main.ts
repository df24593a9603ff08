// The reference backend as a process on a file journal (self-test of H8, crash after acknowledge):
//   node --import tsx file-journal-backend-main.ts --port P --user-function H:P --passivation-timeout MS
//     --relay-timeout MS --relay-buffer N --journal-file PATH [--write-behind-ms MS]
// With --write-behind-ms it acknowledges every append at once and writes it that much later:
// a kill -9 in between loses acknowledged events (the defect H8 must catch); SIGTERM writes them first.
import { parseArgs } from "node:util";
import { createBackend } from "../../../reference/backend/backend.js";
import { createLogger } from "../../../reference/backend/logger.js";
import { addReflection, createHealthService } from "../../../reference/backend/ops/index.js";
import { createInMemorySnapshotStore } from "../../../reference/backend/persistence/index.js";
import { createFileJournal, flushingWriteBehindJournal } from "./file-journal.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    "user-function": { type: "string" },
    "passivation-timeout": { type: "string" },
    "relay-timeout": { type: "string" },
    "relay-buffer": { type: "string" },
    "journal-file": { type: "string" },
    "write-behind-ms": { type: "string" },
  },
});
const number = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (values[name] === undefined || !Number.isFinite(value)) {
    process.stderr.write(`file-journal backend: --${name} must be a number, got ${JSON.stringify(values[name])}\n`);
    process.exit(2);
  }
  return value;
};
const journalFile = values["journal-file"];
const userFunction = values["user-function"];
if (!journalFile || !userFunction) {
  process.stderr.write("file-journal backend: --journal-file and --user-function are required\n");
  process.exit(2);
}
const fileJournal = createFileJournal(journalFile);
const journal = values["write-behind-ms"] === undefined ? fileJournal : flushingWriteBehindJournal(fileJournal, number("write-behind-ms"));
const logger = createLogger({ level: "info", format: "text" });
const health = createHealthService();
const backend = createBackend(
  {
    port: number("port"),
    userFunction,
    entity: {
      passivationTimeoutMs: number("passivation-timeout"),
      relayTimeoutMs: number("relay-timeout"),
      queueCapacity: number("relay-buffer"),
    },
    shutdownGraceMs: 5_000,
  },
  {
    journal,
    snapshotStore: createInMemorySnapshotStore(),
    logger,
    operations: {
      attach: (server) => health.addTo(server),
      serving: (server, service) => {
        addReflection(server, service);
        health.setStatus("", "SERVING");
        health.setStatus(service.name, "SERVING");
      },
      stopping: () => health.close(),
    },
  },
);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(
    signal,
    () =>
      void backend
        .stop()
        .then(() => journal.close())
        .then(() => process.exit(0)),
  );
}
await backend.start();
backend.serving.catch((error: unknown) => {
  process.stderr.write(`file-journal backend: ${(error as Error).message}\n`);
  process.exit(1);
});
