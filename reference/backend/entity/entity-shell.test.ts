import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { Metadata, status, type ClientDuplexStream } from "@grpc/grpc-js";
import type { StreamIn, StreamOut } from "../../protocol/index.js";
import { entityId, persistenceId } from "../ids.js";
import { silentLogger } from "../logger.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../persistence/index.js";
import type { Journal } from "../persistence/journal.js";
import { StorageError } from "../persistence/storage-error.js";
import { defaultEntityConfig } from "./entity-protocol.js";
import { EntityShell } from "./entity-shell.js";

const entity = { persistenceId: persistenceId("shell-test"), entityId: entityId("e1") };
const pageSize = 10;
const historyLength = 95;

/** A user function that reads slowly: every write reports a full buffer until the test emits `drain`. */
class SlowStream extends EventEmitter {
  readonly written: StreamIn[] = [];
  constructor(private readonly takesMore = false) {
    super();
  }
  write(message: StreamIn): boolean {
    this.written.push(message);
    return this.takesMore;
  }
  end(): void {
    setImmediate(() => this.emit("status", { code: status.OK, details: "", metadata: new Metadata() }));
  }
  cancel(): void {
    setImmediate(() => this.emit("status", { code: status.CANCELLED, details: "cancelled", metadata: new Metadata() }));
  }
}

/** The journal's replays, and how many events the shell has taken from them so far. */
function countingJournal(journal: Journal) {
  const counts = { replays: 0, taken: 0 };
  const counted: Journal = {
    append: (...args) => journal.append(...args),
    highestSequenceNumber: (e) => journal.highestSequenceNumber(e),
    close: () => journal.close(),
    replay(e, range) {
      counts.replays++;
      const inner = journal.replay(e, range);
      return {
        async *[Symbol.asyncIterator]() {
          for await (const event of inner) {
            counts.taken++;
            yield event;
          }
        },
      };
    },
  };
  return { journal: counted, counts };
}

/** Every promise chain that can run without IO has run (the journal and the stream here do none). */
/** A shell for `entity` over `journal`, replaying in pages of `pageSize` to `stream`. */
function shellOver(journal: Journal, stream: SlowStream): EntityShell {
  return new EntityShell({
    entity,
    config: { ...defaultEntityConfig, replayPageSize: pageSize },
    journal,
    snapshotStore: createInMemorySnapshotStore(),
    openStream: () => stream as unknown as ClientDuplexStream<StreamIn, StreamOut>,
    logger: silentLogger,
    onRetire: () => {},
  });
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("entity shell: replay to a user function that reads slowly", () => {
  it("holds replay back until drain, reads at most the next page ahead, and delivers every event in order", async () => {
    const memory = createInMemoryJournal();
    for (let n = 0; n < historyLength; n++) {
      await memory.append(entity, n, [{ typeUrl: "type.googleapis.com/test.Event", value: new Uint8Array([n]) }]);
    }
    const { journal, counts } = countingJournal(memory);
    const stream = new SlowStream();
    const shell = shellOver(journal, stream);
    const reply = shell.command("Get", { typeUrl: "type.googleapis.com/test.Get", value: new Uint8Array() });
    const events = () => stream.written.filter((m) => m.case === "event");
    let drains = 0;
    for (;;) {
      await settled();
      const command = stream.written.find((m) => m.case === "command");
      if (command) break;
      // Backpressure: nothing more is sent until the stream drains ...
      assert.equal(events().length, Math.min(historyLength, drains * pageSize), `events sent after ${drains} drains`);
      // ... and the journal is read no further than the page after the one waiting to go out.
      assert.ok(counts.taken <= events().length + 2 * pageSize, `${counts.taken} events read, ${events().length} sent`);
      if (drains === 0) assert.equal(counts.taken, 2 * pageSize, "the next page is read while the first waits for drain");
      drains++;
      stream.emit("drain");
    }
    assert.deepEqual(
      events().map((m) => (m.case === "event" ? m.sequence : 0)),
      Array.from({ length: historyLength }, (_, i) => i + 1),
    );
    assert.equal(counts.replays, 1, "one journal replay serves every page of the recovery");
    const command = stream.written.find((m) => m.case === "command");
    assert.ok(command?.case === "command");
    stream.emit("data", { case: "reply", commandId: command.id, payload: undefined, events: [], snapshot: undefined } satisfies StreamOut);
    assert.deepEqual(await reply, new Uint8Array());
    shell.shutdown();
    await shell.stopped;
  });
});

describe("entity shell: a journal failing mid-replay", () => {
  it("fails the waiting command and ends the stream when a page read ahead fails, after the events before it", async () => {
    const memory = createInMemoryJournal();
    for (let n = 0; n < historyLength; n++) {
      await memory.append(entity, n, [{ typeUrl: "type.googleapis.com/test.Event", value: new Uint8Array([n]) }]);
    }
    const failAfter = pageSize + 5;
    const journal: Journal = {
      append: (...args) => memory.append(...args),
      highestSequenceNumber: (e) => memory.highestSequenceNumber(e),
      close: () => memory.close(),
      async *replay(e, range) {
        for await (const event of memory.replay(e, range)) {
          if (event.sequenceNumber > failAfter) throw StorageError.unavailable("the journal went away");
          yield event;
        }
      },
    };
    const stream = new SlowStream(true);
    let ended = false;
    stream.on("status", () => (ended = true));
    const shell = shellOver(journal, stream);
    await assert.rejects(shell.command("Get", { typeUrl: "type.googleapis.com/test.Get", value: new Uint8Array() }), /journal/);
    await shell.stopped;
    assert.ok(ended, "the stream is ended");
    assert.deepEqual(
      stream.written.map((m) => (m.case === "event" ? m.sequence : m.case)),
      ["init", ...Array.from({ length: pageSize }, (_, i) => i + 1)],
      "the first page, then nothing: the failed page sends none of its events",
    );
  });
});
