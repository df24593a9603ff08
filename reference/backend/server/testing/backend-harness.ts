import { Client, credentials, type CallOptions, type ServiceError } from "@grpc/grpc-js";
import { createBackend, type Backend, type BackendOptions } from "../../backend.js";
import type { UserService } from "../../discovery/user-service.js";
import { entityId, persistenceId, type EntityRef } from "../../ids.js";
import { silentLogger, type LogFields, type Logger, type LogLevel } from "../../logger.js";
import type { Journal, PersistedEvent } from "../../persistence/journal.js";
import { createInMemoryJournal } from "../../persistence/in-memory-journal.js";
import { createInMemorySnapshotStore } from "../../persistence/in-memory-snapshot-store.js";
import type { SnapshotStore } from "../../persistence/snapshot-store.js";
import { CompositeRequestType, RequestType, testPackage, testPersistenceId } from "./raw-user-function.js";

/** A backend on port 0 in front of `userFunction`, with in-memory stores the test can read. */
export interface BackendUnderTest {
  readonly backend: Backend;
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  readonly client: Client;
  readonly service: UserService;
  /** Events persisted for an entity of the test service. */
  events(id: string): Promise<PersistedEvent[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly entity?: BackendOptions["entity"];
  readonly limits?: BackendOptions["limits"];
  readonly journal?: Journal;
  readonly snapshotStore?: SnapshotStore;
  readonly logger?: Logger;
}

export async function startBackendUnderTest(userFunction: string, options: HarnessOptions = {}): Promise<BackendUnderTest> {
  const journal = options.journal ?? createInMemoryJournal();
  const snapshotStore = options.snapshotStore ?? createInMemorySnapshotStore();
  const backend = createBackend(
    {
      host: "127.0.0.1",
      port: 0,
      userFunction,
      entity: options.entity ?? {},
      shutdownGraceMs: 5_000,
      ...(options.limits ? { limits: options.limits } : {}),
    },
    { journal, snapshotStore, logger: options.logger ?? silentLogger },
  );
  const address = await backend.start();
  const service = await backend.serving;
  const client = new Client(address.target, credentials.createInsecure());
  return {
    backend,
    journal,
    snapshotStore,
    client,
    service,
    events: async (id) => {
      const events: PersistedEvent[] = [];
      const range = { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity };
      for await (const event of journal.replay(thingRef(id), range)) events.push(event);
      return events;
    },
    close: async () => {
      client.close();
      await backend.stop();
      await journal.close();
      await snapshotStore.close();
    },
  };
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger that keeps every entry (all levels), for tests that look at the log. */
export function capturingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (base: LogFields): Logger => {
    const at = (level: LogLevel) => (message: string, fields?: LogFields) =>
      void entries.push({ level, message, fields: { ...base, ...fields } });
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (fields) => make({ ...base, ...fields }) };
  };
  return { logger: make({}), entries };
}

export const thingRef = (id: string): EntityRef => ({
  persistenceId: persistenceId(testPersistenceId),
  entityId: entityId(id),
});

export const appendRequest = (id: string, value: string): Uint8Array => RequestType.encode({ id, value }).finish();
export const compositeRequest = (a: string, b: string, value: string): Uint8Array => CompositeRequestType.encode({ a, b, value }).finish();

const identity = (bytes: Buffer): Buffer => bytes;
export const pathOf = (method: string): string => `/${testPackage}.Things/${method}`;

/** A unary call with raw bytes; resolves with the response bytes. */
export function callUnary(client: Client, path: string, request: Uint8Array, options: CallOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(path, identity, identity, Buffer.from(request), options, (error, reply) =>
      error ? reject(error) : resolve(reply ?? Buffer.alloc(0)),
    );
  });
}

/** A bidirectional call: writes every request, then collects the responses until the status. */
export function callBidi(
  client: Client,
  path: string,
  requests: readonly Uint8Array[],
): Promise<{ replies: Buffer[]; error?: ServiceError }> {
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(path, identity, identity);
    const replies: Buffer[] = [];
    call.on("data", (reply: Buffer) => replies.push(reply));
    call.on("error", (error: ServiceError) => resolve({ replies, error }));
    call.on("end", () => resolve({ replies }));
    for (const request of requests) call.write(Buffer.from(request));
    call.end();
  });
}

/** A client-streaming call. */
export function callClientStream(client: Client, path: string, requests: readonly Uint8Array[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const call = client.makeClientStreamRequest(path, identity, identity, (error, reply) =>
      error ? reject(error) : resolve(reply ?? Buffer.alloc(0)),
    );
    for (const request of requests) call.write(Buffer.from(request));
    call.end();
  });
}

/** A server-streaming call: resolves with every response. */
export function callServerStream(client: Client, path: string, request: Uint8Array): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const call = client.makeServerStreamRequest(path, identity, identity, Buffer.from(request));
    const replies: Buffer[] = [];
    call.on("data", (reply: Buffer) => replies.push(reply));
    call.on("error", reject);
    call.on("end", () => resolve(replies));
  });
}

/** Polls `condition` until it holds, failing after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
