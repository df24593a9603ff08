// A hostile client against the reference backend (main.ts as a child process, in-memory journal) in
// front of the sample shopping cart (issue 12): garbage, oversized and malformed requests, a wrong
// content-type, floods of calls and connections, and a cancel storm. After every case the backend is
// still up, a normal call on the same client connection succeeds (nothing wedged), each case got its
// documented code (reference/backend/README.md, "Hostile input"), and the backend's RSS stayed under
// HOSTILE_RSS_LIMIT_MIB (default 700). Prints the figures: cases, calls, codes seen, peak RSS.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { loadProtos } from "../../reference/protocol/index.js";
import { ensureExited, runMain, type Running } from "../../reference/backend/testing/run-main.js";
import type { RunningUserFunction } from "../../reference/support/index.js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";

const rssLimitMiB = Number(process.env["HOSTILE_RSS_LIMIT_MIB"] ?? "700");
const callTimeoutMs = 30_000;
const service = "/com.example.shoppingcart.ShoppingCart";
const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
const addType = root.lookupType("com.example.shoppingcart.AddLineItem");
const getType = root.lookupType("com.example.shoppingcart.GetShoppingCart");
const identity = (bytes: Buffer): Buffer => bytes;

const encode = (type: typeof addType, value: Record<string, unknown>): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish());
const getCart = (user: string) => encode(getType, { user_id: user });
const addItem = (user: string, quantity = 1) => encode(addType, { user_id: user, product_id: "p", name: "Item", quantity });

/** A gRPC status name (`INVALID_ARGUMENT`), or `HTTP 415` for an answer without a grpc-status. */
type Code = string;
const codeName = (code: number): Code => grpc.status[code] ?? `CODE_${code}`;

/** One unary call with raw bytes; resolves with its code (never rejects). */
function call(client: grpc.Client, method: string, body: Buffer, options: { cancelAfterMs?: number } = {}): Promise<Code> {
  return new Promise((resolve) => {
    const started = client.makeUnaryRequest(
      `${service}/${method}`,
      identity,
      identity,
      body,
      { deadline: Date.now() + callTimeoutMs },
      (error) => resolve(error ? codeName(error.code) : "OK"),
    );
    if (options.cancelAfterMs !== undefined) setTimeout(() => started.cancel(), options.cancelAfterMs);
  });
}

/** A gRPC request by hand on a raw HTTP/2 session: the grpc-status it ends with, and the HTTP status. */
function rawRequest(
  session: http2.ClientHttp2Session,
  path: string,
  contentType: string,
  body: Buffer,
): Promise<{ http: number; grpc: Code | undefined }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": contentType, te: "trailers" });
    let http = 0;
    let grpcStatus: string | undefined; // a number, as sent
    stream.on("response", (headers) => {
      http = Number(headers[":status"]);
      if (headers["grpc-status"] !== undefined) grpcStatus = String(headers["grpc-status"]);
    });
    stream.on("trailers", (trailers) => {
      if (trailers["grpc-status"] !== undefined) grpcStatus = String(trailers["grpc-status"]);
    });
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("close", () => resolve({ http, grpc: grpcStatus === undefined ? undefined : codeName(Number(grpcStatus)) }));
    stream.end(body);
  });
}

/** A gRPC message frame: not compressed, 4-byte big-endian length, the bytes. */
function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** Resident set size of a process, from /proc/<pid>/status (VmRSS, kB), in bytes. */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(0);

interface Figures {
  readonly name: string;
  readonly calls: number;
  readonly codes: Partial<Record<Code, number>>;
  readonly rssAfterMiB: string;
}

describe("hostile input against the reference backend", { timeout: 180_000 }, () => {
  let cart: RunningUserFunction;
  let backend: Running;
  let pid: number;
  let target: string;
  let client: grpc.Client;
  let peakRss = 0;
  let sampler: NodeJS.Timeout;
  const figures: Figures[] = [];

  before(async () => {
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    backend = runMain(["--port", "0", "--user-function", cart.address, "--log-format", "json"]);
    pid = backend.child.pid!;
    target = String((await backend.waitForLog("backend listening"))["address"]);
    await backend.waitForLog("serving the user service");
    // One connection for every case: a request that wedged it would fail every later check.
    client = new grpc.Client(target, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": -1 });
    sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid))), 20);
    peakRss = rssOf(pid);
  });

  after(async () => {
    clearInterval(sampler);
    client?.close();
    const alive = backend.child.exitCode === null && backend.child.signalCode === null;
    backend.child.kill("SIGTERM");
    await ensureExited(backend);
    await cart?.close();
    const width = Math.max(...figures.map((f) => f.name.length));
    process.stdout.write(
      [
        "",
        `hostile input: ${figures.length} cases, ${figures.reduce((n, f) => n + f.calls, 0)} calls; backend alive to the end: ${alive}`,
        ...figures.map(
          (f) => `  ${f.name.padEnd(width)}  ${String(f.calls).padStart(6)} calls  ${JSON.stringify(f.codes)}  rss ${f.rssAfterMiB} MiB`,
        ),
        `  peak backend RSS ${mib(peakRss)} MiB (bound ${rssLimitMiB} MiB)`,
        "",
      ].join("\n") + "\n",
    );
  });

  /** Runs a case's calls, tallies their codes, then checks the backend and the same connection still serve. */
  async function hostile(name: string, expected: readonly Code[], codes: Code[]): Promise<void> {
    const tally: Partial<Record<Code, number>> = {};
    for (const code of codes) tally[code] = (tally[code] ?? 0) + 1;
    assert.equal(backend.child.exitCode, null, `${name}: the backend exited (${backend.child.exitCode})`);
    assert.equal(await call(client, "GetCart", getCart(`after-${name}`)), "OK", `${name}: a normal call on the same connection afterwards`);
    const rss = rssOf(pid);
    peakRss = Math.max(peakRss, rss);
    figures.push({ name, calls: codes.length, codes: tally, rssAfterMiB: mib(rss) });
    const unexpected = Object.keys(tally).filter((code) => !expected.includes(code));
    assert.deepEqual(unexpected, [], `${name}: expected only ${expected.join("/")}, saw ${JSON.stringify(tally)}`);
    assert.ok(
      peakRss < rssLimitMiB * 1024 * 1024,
      `${name}: backend RSS peaked at ${mib(peakRss)} MiB, over the bound of ${rssLimitMiB} MiB`,
    );
  }

  it("malformed protobuf bytes: INVALID_ARGUMENT", async () => {
    const garbage = [
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x0a, 0x7f, 0x41]),
      Buffer.from([0x0f]),
      Buffer.from("not protobuf at all"),
    ];
    await hostile("malformed bytes", ["INVALID_ARGUMENT"], await Promise.all(garbage.map((bytes) => call(client, "AddItem", bytes))));
  });

  it("unknown fields: ignored, the call succeeds (OK)", async () => {
    // Field 99 (varint) and field 100 (length-delimited) after a valid request.
    const extra = Buffer.from([0xf8, 0x06, 0x2a, 0xa2, 0x06, 0x03, 0x61, 0x62, 0x63]);
    await hostile("unknown fields", ["OK"], [await call(client, "AddItem", Buffer.concat([addItem("unknown-fields"), extra]))]);
  });

  it("invalid UTF-8 in the string key: INVALID_ARGUMENT", async () => {
    // GetShoppingCart.user_id (field 1) = 0xff 0xfe 0x41: not UTF-8.
    const bytes = Buffer.from([0x0a, 0x03, 0xff, 0xfe, 0x41]);
    await hostile("invalid UTF-8 key", ["INVALID_ARGUMENT"], [await call(client, "GetCart", bytes)]);
  });

  it("wrong content-type (raw HTTP/2): refused with HTTP 415, and the same session then serves gRPC", async () => {
    const session = http2.connect(`http://${target}`);
    try {
      const path = `${service}/GetCart`;
      const wrong = await rawRequest(session, path, "application/json", Buffer.from('{"user_id":"x"}'));
      const right = await rawRequest(session, path, "application/grpc", frame(getCart("raw-http2")));
      assert.equal(wrong.http, 415, `a wrong content-type: expected HTTP 415, got ${wrong.http}`);
      assert.equal(right.grpc, "OK", `a proper gRPC request on the same HTTP/2 session: expected OK, got ${right.grpc}`);
      // grpc-js answers HTTP 415 with no grpc-status at all (a gRPC client maps that to UNKNOWN).
      await hostile("wrong content-type", ["HTTP 415"], [wrong.grpc ?? `HTTP ${wrong.http}`]);
    } finally {
      session.close();
    }
  });

  it("a 100 KiB key: INVALID_ARGUMENT", async () => {
    await hostile("100 KiB key", ["INVALID_ARGUMENT"], [await call(client, "AddItem", addItem("k".repeat(100 * 1024)))]);
  });

  it("100 MiB requests, four at once: RESOURCE_EXHAUSTED, memory unmoved", async () => {
    const huge = encode(addType, { user_id: "huge", product_id: "p", name: "n".repeat(100 * 1024 * 1024), quantity: 1 });
    await hostile("100 MiB request ×4", ["RESOURCE_EXHAUSTED"], await Promise.all([1, 2, 3, 4].map(() => call(client, "AddItem", huge))));
  });

  it("10,000 concurrent calls on 10,000 carts: all OK", async () => {
    const calls = Array.from({ length: 10_000 }, (_, i) => call(client, "GetCart", getCart(`flood-${i}`)));
    await hostile("10,000 concurrent calls", ["OK"], await Promise.all(calls));
  });

  it("2,000 idle connections, then a normal call", async () => {
    const sessions: http2.ClientHttp2Session[] = [];
    try {
      const connected = Array.from({ length: 2_000 }, () => {
        const session = http2.connect(`http://${target}`);
        sessions.push(session);
        return new Promise<Code>((resolve) => {
          session.once("remoteSettings", () => resolve("OK"));
          session.once("error", () => resolve("UNAVAILABLE"));
        });
      });
      await hostile("2,000 idle connections", ["OK"], await Promise.all(connected));
    } finally {
      for (const session of sessions) session.destroy();
    }
  });

  it("a cancel storm: 1,000 calls cancelled at random points, CANCELLED (or OK if they finished first)", async () => {
    // Fault injection: each call is cancelled 0-20 ms after it starts, spread over 50 carts.
    const calls = Array.from({ length: 1_000 }, (_, i) =>
      call(client, "AddItem", addItem(`storm-${i % 50}`), { cancelAfterMs: Math.floor(Math.random() * 20) }),
    );
    await hostile("cancel storm", ["CANCELLED", "OK"], await Promise.all(calls));
  });
});
