/**
 * The bench's fallback load generator (when ghz is neither found nor installable): a grpc-js client
 * keeping `--inflight` unary calls in flight on one connection, for `--duration` seconds or
 * `--total` calls, optionally paced to `--rps` calls per second. Requests go round-robin over
 * `--carts` cart ids `<prefix><i>`. Prints one JSON line: {count, errors, rps, p50Ms, p99Ms, elapsedS}.
 *
 *   node --import tsx ci/bench/node-load.ts --target 127.0.0.1:9000 --method AddItem --carts 1000 --prefix c- --inflight 64 --duration 8
 */
import { Client, credentials } from "@grpc/grpc-js";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { percentile } from "./figures.js";
import { encodeRequest } from "./requests.js";

const { values } = parseArgs({
  strict: true,
  options: {
    target: { type: "string" },
    method: { type: "string", default: "AddItem" },
    carts: { type: "string", default: "1000" },
    prefix: { type: "string", default: "cart-" },
    inflight: { type: "string", default: "64" },
    duration: { type: "string" },
    total: { type: "string" },
    rps: { type: "string" },
  },
});
const method = values.method === "GetCart" ? "GetCart" : "AddItem";
const carts = Number(values.carts);
const inflight = Number(values.inflight);
const rps = values.rps === undefined ? 0 : Number(values.rps);
const total = values.total === undefined ? Infinity : Number(values.total);
const durationMs = values.duration === undefined ? Infinity : Number(values.duration) * 1000;
if (!values.target || !(carts >= 1) || !(inflight >= 1) || (total === Infinity && durationMs === Infinity)) {
  console.error("node-load: --target, --carts ≥ 1, --inflight ≥ 1 and --duration or --total are required");
  process.exit(2);
}
const requests = Array.from({ length: carts }, (_, i) => encodeRequest(method, `${values.prefix}${i}`));
const client = new Client(values.target, credentials.createInsecure());
const path = `/com.example.shoppingcart.ShoppingCart/${method}`;
const raw = (buffer: Buffer): Buffer => buffer;
const call = (i: number) =>
  new Promise<void>((resolve, reject) =>
    client.makeUnaryRequest(path, raw, raw, requests[i % carts]!, (error) => (error ? reject(error) : resolve())),
  );

await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
const latencies: number[] = [];
let next = 0;
let errors = 0;
const started = performance.now();
const deadline = started + durationMs;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await Promise.all(
  Array.from({ length: inflight }, async () => {
    for (;;) {
      if (next >= total || performance.now() >= deadline) return;
      const index = next++;
      if (rps > 0) {
        // Open-loop pacing: call `index` is due at started + index / rps.
        const due = started + (index * 1000) / rps;
        const wait = due - performance.now();
        if (wait > 0) await pause(wait);
        if (performance.now() >= deadline) return;
      }
      const sent = performance.now();
      try {
        await call(index);
        latencies.push(performance.now() - sent);
      } catch {
        errors++;
      }
    }
  }),
);
const elapsedS = (performance.now() - started) / 1000;
client.close();
console.log(
  JSON.stringify({
    count: latencies.length,
    errors,
    rps: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    elapsedS,
  }),
);
