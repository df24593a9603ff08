/**
 * `npm run bench`: the figures of issue 13, each as interleaved repeats of a baseline and the
 * subject in the same run (the machine is shared and noisy: ratios carry, absolute figures less so).
 * `npm run bench -- --help` lists the flags; README.md's Performance section has the figures.
 *
 * What runs where:
 * - P1, P2, P3, P6, scaling: the reference backend (reference/backend/main.ts, in-memory journal,
 *   --passivation-timeout 60m) in front of the sample shopping cart (samples/shopping-cart/main.ts),
 *   each its own process; the baseline is ci/bench/echo-server.ts, a raw grpc-js server with the
 *   cart's service and types and no logic. Load from ghz (or ci/bench/node-load.ts).
 * - P5 replay and the Cassandra figures: a backend inside this process (so events can be written
 *   straight into its journal) in front of a second shopping cart process.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Client, credentials } from "@grpc/grpc-js";
import { createBackend, type Backend } from "../../reference/backend/backend.js";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import {
  createInMemoryJournal,
  createInMemorySnapshotStore,
  type Journal,
  type SnapshotStore,
} from "../../reference/backend/persistence/index.js";
import { formatProfileSummary, readCpuProfile, summarizeCpuProfile } from "./cpu-profile.js";
import { evaluate, type Figure, type FigureResult, formatFigure, parseBenchArgs, type Target, UsageError, usage } from "./figures.js";
import { chooseGenerator, type Generator, type LoadResult, type LoadRun, type Method } from "./generators.js";
import { type Child, cpuMicros, installCleanup, nodeArgs, repoRoot, run, start, waitForServing } from "./processes.js";
import { encodeItemAdded, encodeRequest, itemAddedTypeUrl } from "./requests.js";

let parsed;
try {
  parsed = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`bench: ${error.message}\n\n${usage}\n`);
  process.exit(2);
}
if (parsed.kind === "help") {
  process.stdout.write(usage + "\n");
  process.exit(0);
}
const options = parsed.options;
installCleanup();

const log = (line: string) => process.stderr.write(line + "\n");
const results: FigureResult[] = [];
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
const wanted = (group: string) => options.only.length === 0 || options.only.includes(group);
const pairs = options.pairs;
const D = options.durationSeconds;
const sizes = options.quick
  ? { carts: 1000, idle: 10_000, scaling: 10_000, replay: [1_000, 10_000], cassandraReplay: 1_000 }
  : { carts: 1000, idle: 10_000, scaling: 100_000, replay: [10_000, 100_000], cassandraReplay: 10_000 };

function report(figure: Figure): void {
  const result = evaluate(figure);
  results.push(result);
  console.log(formatFigure(result));
}
const skip = (id: string, title: string, why: string) =>
  report({ id, title, unit: "", baselineName: "", subject: [], baseline: [], load: load(), skipped: why });

const started = performance.now();
const { generator, how } = await chooseGenerator(options.generator, log).catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
console.log(`load generator: ${how}`);
if (options.runtime === "built") {
  // The measured programs run from dist/: build it from this checkout first, so it is never stale.
  log("bench: npm run build (--runtime built)");
  await run("npm run build", "npm", ["run", "build", "--silent"]).catch((error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).message}
`);
    process.exit(1);
  });
}
console.log(
  `mode: ${options.quick ? "quick" : "full"}, runtime: ${options.runtime === "built" ? "built JavaScript (dist/)" : "tsx"}, ${pairs} pair(s) of ${D} s runs per figure, load average at start ${load().join(" ")}`,
);

interface Measured extends LoadResult {
  /** µs of CPU per successful call, per watched process. */
  readonly cpuPerCall: number[];
}

/** One load run, with the CPU each of `watch` used meanwhile (from /proc/<pid>/stat). */
async function measure(gen: Generator, run: LoadRun, watch: readonly number[] = []): Promise<Measured> {
  const before = watch.map(cpuMicros);
  const result = await gen.run(run);
  const after = watch.map(cpuMicros);
  if (result.count === 0) throw new Error(`no call succeeded (${result.errors} errors) on ${run.target} ${run.method}`);
  if (result.errors > 0) log(`bench: ${result.errors} failed calls on ${run.target} ${run.method} (not counted)`);
  return { ...result, cpuPerCall: watch.map((_, i) => (after[i]! - before[i]!) / result.count) };
}

/** `pairs` times: baseline then subject; the two lists of results. */
async function interleaved<T>(baseline: () => Promise<T>, subject: () => Promise<T>): Promise<{ baseline: T[]; subject: T[] }> {
  const out = { baseline: [] as T[], subject: [] as T[] };
  for (let i = 0; i < pairs; i++) {
    out.baseline.push(await baseline());
    out.subject.push(await subject());
  }
  return out;
}

const echoMessageStream = (target: string) => {
  const client = new Client(target, credentials.createInsecure());
  const raw = (buffer: Buffer): Buffer => buffer;
  /** Seconds to receive `count` messages of `size` bytes over one server stream. */
  const time = (count: number, size: number) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      let received = 0;
      const call = client.makeServerStreamRequest("/bench.Baseline/Stream", raw, raw, Buffer.from(JSON.stringify({ count, size })));
      call.on("data", () => received++);
      call.on("error", reject);
      call.on("end", () =>
        received === count ? resolve((performance.now() - t0) / 1000) : reject(new Error(`stream ended after ${received} of ${count}`)),
      );
    });
  return { time, close: () => client.close() };
};

async function startEcho(): Promise<{ child: Child; target: string }> {
  // With the probe too: it ends the echo server should the bench die without cleaning up.
  const child = start("echo server", process.execPath, nodeArgs("ci/bench/echo-server.ts", ["0"], true), { ipc: true });
  const [, port] = await child.waitForLine(/^echo listening on (\d+)/);
  return { child, target: `127.0.0.1:${port}` };
}

/** `--cpu-prof` into `--profile DIR`/<folder> for the processes that are profiled. */
const profiled: { name: string; dir: string }[] = [];
const profileArgs = (name: string, folder: string | undefined): string[] => {
  if (!options.profile || !folder) return [];
  const dir = resolve(options.profile, folder);
  profiled.push({ name, dir });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`];
};

async function startUserFunction(name: string, profileFolder?: string): Promise<{ child: Child; target: string }> {
  const args = nodeArgs("samples/shopping-cart/main.ts", ["--port", "0"], true, options.runtime === "built");
  const child = start(name, process.execPath, [...profileArgs(name, profileFolder), ...args], { ipc: true });
  const [, address] = await child.waitForLine(/user function listening on (\S+)/);
  return { child, target: address! };
}

async function startBackendProcess(userFunction: string, profileFolder?: string): Promise<{ child: Child; target: string }> {
  const child = start(
    "backend",
    process.execPath,
    [
      ...profileArgs("backend", profileFolder),
      ...nodeArgs(
        "reference/backend/main.ts",
        ["--port", "0", "--user-function", userFunction, "--passivation-timeout", "60m", "--log-format", "json"],
        true,
        options.runtime === "built",
      ),
    ],
    { ipc: true },
  );
  const [line] = await child.waitForLine(/^\{.*"msg":"backend listening".*$/);
  const target = (JSON.parse(line) as { address: string }).address;
  await waitForServing(target);
  return { child, target };
}

const kib = (bytes: number) => bytes / 1024;
const rate = (r: Measured) => r.rps;

const children: Child[] = [];
const closers: (() => Promise<unknown>)[] = [];
try {
  const echo = await startEcho();
  children.push(echo.child);
  const needMain = wanted("P1") || wanted("P3") || wanted("P6") || wanted("scaling");
  if (needMain) {
    const uf = await startUserFunction("shopping cart", "shopping-cart");
    const backend = await startBackendProcess(uf.target, "backend");
    children.push(uf.child, backend.child);
    const run = (target: string, method: Method, extra: Partial<LoadRun> = {}): LoadRun => ({
      target,
      method,
      carts: sizes.carts,
      prefix: "cart-",
      inflight: 64,
      durationS: D,
      ...extra,
    });
    // Warm-up: every cart active, code paths compiled, on both sides.
    await measure(generator, run(echo.target, "AddItem", { durationS: undefined, total: 2 * sizes.carts }));
    await measure(generator, run(backend.target, "AddItem", { durationS: undefined, total: 2 * sizes.carts }));
    let addItemRate = Number.NaN;

    if (wanted("P1")) {
      const add = await interleaved(
        () => measure(generator, run(echo.target, "AddItem"), [echo.child.pid]),
        () => measure(generator, run(backend.target, "AddItem"), [backend.child.pid, uf.child.pid]),
      );
      const common = { baselineName: "raw grpc-js echo server", load: load() };
      report({
        id: "P1 AddItem",
        title: `AddItem throughput, ${sizes.carts.toLocaleString("en-US")} carts, 64 in flight`,
        unit: "req/s",
        subject: add.subject.map(rate),
        baseline: add.baseline.map(rate),
        target: { of: "ratio", op: ">=", value: 0.6 },
        ...common,
      });
      addItemRate = results.at(-1)!.subjectMedian;
      await measure(generator, run(backend.target, "GetCart", { durationS: undefined, total: sizes.carts }));
      const get = await interleaved(
        () => measure(generator, run(echo.target, "GetCart")),
        () => measure(generator, run(backend.target, "GetCart")),
      );
      report({
        id: "P1 GetCart",
        title: `GetCart throughput, ${sizes.carts.toLocaleString("en-US")} carts, 64 in flight`,
        unit: "req/s",
        subject: get.subject.map(rate),
        baseline: get.baseline.map(rate),
        target: { of: "ratio", op: ">=", value: 0.65 },
        ...common,
        load: load(),
      });
      const cpuNote = "CPU of each process from /proc/<pid>/stat (utime+stime) over the P1 AddItem runs ÷ successful calls";
      report({
        id: "P2 backend",
        title: "backend CPU per AddItem ÷ echo server CPU per call",
        unit: "µs",
        subject: add.subject.map((r) => r.cpuPerCall[0]!),
        baseline: add.baseline.map((r) => r.cpuPerCall[0]!),
        target: { of: "ratio", op: "<=", value: 1.5 },
        baselineName: "echo server",
        load: common.load,
        note: cpuNote,
      });
      report({
        id: "P2 user fn",
        title: "user function CPU per AddItem ÷ echo server CPU per call",
        unit: "µs",
        subject: add.subject.map((r) => r.cpuPerCall[1]!),
        baseline: add.baseline.map((r) => r.cpuPerCall[0]!),
        target: { of: "ratio", op: "<=", value: 0.5 },
        baselineName: "echo server",
        load: common.load,
        note: cpuNote,
      });
    } else {
      skip("P1/P2", "throughput and CPU per call", "not in --only");
    }

    if (wanted("P3")) {
      if (!Number.isFinite(addItemRate)) {
        // P3 needs the subject's maximum rate: measure it once when P1 did not run.
        addItemRate = (await measure(generator, run(backend.target, "AddItem"))).rps;
      }
      const half = addItemRate / 2;
      const p99 = await interleaved(
        () => measure(generator, run(echo.target, "AddItem", { rps: half })),
        () => measure(generator, run(backend.target, "AddItem", { rps: half })),
      );
      report({
        id: "P3 p99",
        title: `AddItem p99 at half the backend's maximum rate (${Math.round(half).toLocaleString("en-US")} req/s, both)`,
        unit: "ms",
        subject: p99.subject.map((r) => r.p99Ms),
        baseline: p99.baseline.map((r) => r.p99Ms),
        target: { of: "ratio", op: "<=", value: 3 },
        baselineName: "echo server at the same rate",
        load: load(),
        note: `achieved rates: backend ${p99.subject.map((r) => Math.round(r.rps)).join(", ")}, echo ${p99.baseline.map((r) => Math.round(r.rps)).join(", ")} req/s`,
      });
    } else {
      skip("P3", "p99 at half the maximum rate", "not in --only");
    }

    if (wanted("P6")) {
      // `pairs` times: heap after GC, `idle` new carts (one AddItem each, then idle), heap after GC again.
      const backendKiB: number[] = [];
      const ufKiB: number[] = [];
      const rss: [number[], number[]] = [[], []];
      for (let i = 0; i < pairs; i++) {
        const before = await Promise.all([backend.child.heap(), uf.child.heap()]);
        await measure(
          generator,
          run(backend.target, "AddItem", {
            prefix: `idle-${randomUUID().slice(0, 8)}-`,
            carts: sizes.idle,
            durationS: undefined,
            total: sizes.idle,
          }),
        );
        const after = await Promise.all([backend.child.heap(), uf.child.heap()]);
        const per = (j: number, field: "heapUsed" | "rss") => kib((after[j]![field] - before[j]![field]) / sizes.idle);
        backendKiB.push(per(0, "heapUsed"));
        ufKiB.push(per(1, "heapUsed"));
        rss[0].push(per(0, "rss"));
        rss[1].push(per(1, "rss"));
      }
      const how = `${sizes.idle.toLocaleString("en-US")} new carts per repeat (one AddItem each, then idle, passivation 60m); heapUsed after two gc() in the process (--expose-gc, ci/bench/probe.mjs over IPC), after − before ÷ carts`;
      const rssNote = (values: number[]) => `RSS +${values.map((v) => v.toFixed(1)).join(", ")} KiB per entity`;
      report({
        id: "P6 backend",
        title: "backend heap per idle active entity",
        unit: "KiB",
        subject: backendKiB,
        baseline: [],
        target: { of: "subject", op: "<=", value: 6 },
        baselineName: "absolute",
        load: load(),
        note: `${how}; ${rssNote(rss[0])}`,
      });
      report({
        id: "P6 user fn",
        title: "user function heap per active entity",
        unit: "KiB",
        subject: ufKiB,
        baseline: [],
        target: { of: "subject", op: "<=", value: 4 },
        baselineName: "absolute",
        load: load(),
        note: `same carts; ${rssNote(rss[1])}`,
      });
    } else {
      skip("P6", "heap per active entity", "not in --only");
    }

    if (wanted("scaling")) {
      const many = sizes.scaling;
      // Every one of the `many` carts active first: the runs then measure many active entities, not activations.
      await measure(generator, run(backend.target, "AddItem", { prefix: "scale-", carts: many, durationS: undefined, total: many }));
      const scale = await interleaved(
        () => measure(generator, run(backend.target, "AddItem")),
        () => measure(generator, run(backend.target, "AddItem", { prefix: "scale-", carts: many })),
      );
      report({
        id: "scaling",
        title: `AddItem throughput over ${many.toLocaleString("en-US")} distinct carts ÷ over ${sizes.carts.toLocaleString("en-US")}`,
        unit: "req/s",
        subject: scale.subject.map(rate),
        baseline: scale.baseline.map(rate),
        target: { of: "ratio", op: ">=", value: 0.9 },
        baselineName: `same backend, ${sizes.carts.toLocaleString("en-US")} carts`,
        load: load(),
        note: `all ${many.toLocaleString("en-US")} carts activated before the runs, so both sides run with them all active`,
      });
    } else {
      skip("scaling", "throughput at many carts", "not in --only");
    }
    await backend.child.stop();
    await uf.child.stop();
  } else {
    skip("P1/P2/P3/P6", "figures on the backend process", "not in --only");
  }

  // In-process backends from here on (P5, Cassandra), in front of a user function of their own.
  const needInProcess = wanted("P5") || (wanted("cassandra") && options.cassandra && process.env["CASSANDRA_CONTACT_POINTS"]);
  if (needInProcess) {
    const uf = await startUserFunction("shopping cart (replay)", "shopping-cart-replay");
    children.push(uf.child);
    const inProcess = async (journal: Journal, snapshotStore: SnapshotStore, freshnessCheck: boolean) => {
      const backend: Backend = createBackend(
        { port: 0, userFunction: uf.target, entity: { freshnessCheck, passivationTimeoutMs: 60 * 60_000 } },
        { journal, snapshotStore, logger: silentLogger },
      );
      const address = await backend.start();
      await backend.serving;
      const client = new Client(address.target, credentials.createInsecure());
      const close = async () => {
        client.close();
        await backend.stop();
      };
      const raw = (buffer: Buffer): Buffer => buffer;
      const getCart = (cart: string) =>
        new Promise<void>((resolve, reject) =>
          client.makeUnaryRequest(
            "/com.example.shoppingcart.ShoppingCart/GetCart",
            raw,
            raw,
            encodeRequest("GetCart", cart),
            { deadline: Date.now() + 120_000 },
            (error) => (error ? reject(error) : resolve()),
          ),
        );
      /** Events per second to bring back a cart whose `events` events were written straight into the journal (no snapshot). */
      const replay = async (events: number) => {
        const cart = `replay-${events}-${randomUUID()}`;
        const ref = { persistenceId: persistenceId("shopping-cart"), entityId: entityId(cart) };
        const payload = { typeUrl: itemAddedTypeUrl, value: encodeItemAdded() };
        const batch = 100;
        for (let written = 0; written < events; written += batch) {
          await journal.append(
            ref,
            written,
            Array.from({ length: Math.min(batch, events - written) }, () => payload),
          );
        }
        const t0 = performance.now();
        await getCart(cart);
        return events / ((performance.now() - t0) / 1000);
      };
      return { target: address.target, replay, close };
    };
    const memory = await inProcess(createInMemoryJournal(), createInMemorySnapshotStore(), false);
    closers.push(memory.close);
    // One replayed event on the link: EventSourcedStreamIn {event {sequence, payload Any {type_url, value}}}, about this size.
    const eventBytes = itemAddedTypeUrl.length + encodeItemAdded().length + 10;
    const stream = echoMessageStream(echo.target);
    closers.push(async () => stream.close());

    let memoryReplay10k: number[] = [];
    if (wanted("P5")) {
      // Warm-up: replay and stream code paths compiled on both sides.
      for (let i = 0; i < 3; i++) {
        await memory.replay(sizes.replay[0]!);
        await stream.time(sizes.replay[0]!, eventBytes);
      }
      for (const events of sizes.replay) {
        const r = await interleaved(
          async () => events / (await stream.time(events, eventBytes)),
          () => memory.replay(events),
        );
        if (events === sizes.cassandraReplay) memoryReplay10k = r.subject;
        report({
          id: `P5 replay ${events >= 1000 ? `${events / 1000}k` : events}`,
          title: `replay of ${events.toLocaleString("en-US")} events, in-memory journal, no snapshot (first GetCart)`,
          unit: "events/s",
          subject: r.subject,
          baseline: r.baseline,
          target: { of: "subject", op: ">=", value: 80_000 },
          baselineName: `raw grpc-js server stream of ${eventBytes}-byte messages`,
          load: load(),
        });
      }
    } else {
      skip("P5", "replay", "not in --only");
    }

    if (wanted("cassandra")) await cassandraFigures(memory, memoryReplay10k, inProcess);
    await uf.child.stop();
  } else if (!wanted("P5")) {
    skip("P5", "replay", "not in --only");
  }
  if (!wanted("cassandra")) skip("cassandra", "Cassandra figures", "not in --only");
  else if (!options.cassandra) skip("cassandra", "Cassandra figures", "--no-cassandra");
  else if (!process.env["CASSANDRA_CONTACT_POINTS"]) skip("cassandra", "Cassandra figures", "CASSANDRA_CONTACT_POINTS is not set");
} finally {
  for (const close of closers.reverse()) await close().catch(() => {});
  for (const child of children.reverse()) await child.stop().catch(() => {});
  await generator.close();
}
// The profiled processes have exited (stopped with SIGTERM, so node wrote their profiles).
for (const { name, dir } of profiled) {
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the program; under tsx a loader
  // worker writes one too, which is start-up work, not the program's.
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => /\.\d+\.0\.\d+\.cpuprofile$/.test(file)) : [];
  if (files.length === 0) {
    console.log(`profile ${name}: no main-thread .cpuprofile in ${dir} (did it exit by a signal?)`);
    continue;
  }
  for (const file of files)
    console.log(formatProfileSummary(name, join(dir, file), summarizeCpuProfile(readCpuProfile(join(dir, file)), repoRoot)));
}

type InProcess = { target: string; replay: (events: number) => Promise<number>; close: () => Promise<void> };

async function cassandraFigures(
  memory: InProcess,
  memoryReplay: number[],
  inProcess: (journal: Journal, snapshotStore: SnapshotStore, freshnessCheck: boolean) => Promise<InProcess>,
): Promise<void> {
  if (!options.cassandra || !process.env["CASSANDRA_CONTACT_POINTS"]) return;
  // Imported here: the driver is only loaded when a Cassandra is configured.
  const { acquireCassandra } = await import("../cassandra-for-tests.js");
  const { cassandraTestSettings, dropTestKeyspaces } = await import("../cassandra-test-settings.js");
  const { createCassandraStores } = await import("../../reference/backend/persistence/cassandra/index.js");
  const cassandra = await acquireCassandra({ env: process.env, log });
  if ("skipped" in cassandra) return skip("cassandra", "Cassandra figures", cassandra.skipped);
  const settings = cassandraTestSettings(cassandra, "bench");
  log(`bench: Cassandra ${cassandra.releaseVersion} at ${cassandra.contactPoints.join(",")}, keyspace ${settings.keyspace}`);
  const stores = await createCassandraStores(settings, silentLogger);
  let closeBackend = async () => {};
  try {
    // The freshness check is on: the backend's default with Cassandra (--freshness-check auto).
    const onCassandra = await inProcess(stores.journal, stores.snapshotStore, true);
    closeBackend = onCassandra.close;
    const run = (target: string, inflight: number): LoadRun => ({
      target,
      method: "AddItem",
      carts: sizes.carts,
      prefix: "cass-",
      inflight,
      durationS: D,
    });
    await measure(generator, { ...run(memory.target, 64), durationS: undefined, total: sizes.carts });
    await measure(generator, { ...run(onCassandra.target, 64), durationS: undefined, total: sizes.carts });
    const target: Target = { of: "ratio", op: ">=", value: 0.5 };
    const note =
      "backend in the bench's process, freshness check on (its default with Cassandra); baseline: the same with the in-memory journal";
    for (const inflight of [64, 1]) {
      const r = await interleaved(
        () => measure(generator, run(memory.target, inflight)),
        () => measure(generator, run(onCassandra.target, inflight)),
      );
      report({
        id: `C AddItem @${inflight}`,
        title: `AddItem throughput on Cassandra, ${inflight} in flight, ${sizes.carts.toLocaleString("en-US")} carts`,
        unit: "req/s",
        subject: r.subject.map(rate),
        baseline: r.baseline.map(rate),
        ...(inflight === 64 ? { target } : {}),
        baselineName: "in-memory journal",
        load: load(),
        note:
          inflight === 64
            ? `${note}; target of the durability issue`
            : `${note}; mean latency ${r.subject.map((x) => (1000 / x.rps).toFixed(2)).join(", ")} ms vs ${r.baseline.map((x) => (1000 / x.rps).toFixed(2)).join(", ")} ms`,
      });
    }
    const events = sizes.cassandraReplay;
    const replays = await interleaved(
      () => memory.replay(events),
      () => onCassandra.replay(events),
    );
    report({
      id: `C replay ${events >= 1000 ? `${events / 1000}k` : events}`,
      title: `replay of ${events.toLocaleString("en-US")} events on Cassandra, no snapshot`,
      unit: "events/s",
      subject: replays.subject,
      baseline: replays.baseline,
      baselineName: "in-memory journal",
      load: load(),
      ...(memoryReplay.length > 0
        ? { note: `P5's in-memory runs of the same size: ${memoryReplay.map((v) => Math.round(v)).join(", ")}` }
        : {}),
    });
  } finally {
    await closeBackend().catch(() => {});
    await stores.close();
    await dropTestKeyspaces(cassandra, [settings.keyspace]);
    await cassandra.stop();
    log(`bench: dropped keyspace ${settings.keyspace}`);
  }
}

const seconds = Math.round((performance.now() - started) / 1000);
console.log(`bench done in ${seconds} s with ${generator.name}; load average ${load().join(" ")}`);
if (options.json) {
  await writeFile(
    options.json,
    JSON.stringify(
      { generator: how, mode: options.quick ? "quick" : "full", pairs, durationSeconds: D, seconds, figures: results },
      null,
      2,
    ) + "\n",
  );
  console.log(`figures written to ${options.json}`);
}
