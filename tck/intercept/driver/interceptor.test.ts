import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  createEntityClient,
  type EntityClient,
  entityServiceDefinition,
  readyOf,
  type StreamIn,
  type StreamOut,
} from "../../../reference/protocol/index.js";
import { listenAndDrain } from "../../../reference/protocol/testing/listen-and-drain.js";
import { encodeFileDescriptor, FieldType, fileDescriptor, keyField } from "../../kit/doubles/instrumented-user-function/file-descriptor.js";
import { startInterceptor, type RunningInterceptor, type ViolationReport } from "./interceptor.js";

const any = (name: string, ...bytes: number[]) => ({ typeUrl: `type.googleapis.com/${name}`, value: Uint8Array.from(bytes) });

/** A descriptor of service x.S with one method Do whose input is keyed (A1–A3 hold). */
function keyedDescriptor(): Uint8Array {
  return encodeFileDescriptor(
    fileDescriptor({
      name: "x.proto",
      package: "x",
      dependency: ["lightbend/serverless/entitykey.proto"],
      messageType: [{ name: "Req", field: [keyField("id", 1, FieldType.STRING)] }, { name: "R" }],
      service: [{ name: "S", method: [{ name: "Do", inputType: ".x.Req", outputType: ".x.R" }] }],
    }),
  );
}

/**
 * A raw user function: replies to command n with one event; `wrongIdFor` answers that command with
 * id + 100; `hangOn` never answers the commands of that name; `proto` is the descriptor ready() answers.
 */
async function startRawUserFunction(behaviour: { wrongIdFor?: number; failStreamWith?: string; hangOn?: string; proto?: Uint8Array } = {}) {
  const server = new grpc.Server({ "grpc.max_receive_message_length": -1 });
  const proto = behaviour.proto ?? keyedDescriptor();
  server.addService(entityServiceDefinition, {
    ready: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { proto, serviceName: "x.S", persistenceId: "p" }),
    handle: (call: grpc.ServerDuplexStream<StreamIn, StreamOut>) => {
      call.on("data", (message: StreamIn) => {
        if (message.case !== "command" || message.name === behaviour.hangOn) return;
        if (behaviour.failStreamWith) {
          call.emit("error", { code: grpc.status.FAILED_PRECONDITION, details: behaviour.failStreamWith });
          return;
        }
        const commandId = message.id === behaviour.wrongIdFor ? message.id + 100 : message.id;
        // The entity "big" gets a reply above gRPC's default 4 MiB receive limit.
        const payload =
          message.entityId === "big"
            ? { typeUrl: "type.googleapis.com/R", value: new Uint8Array(5 * 1024 * 1024).fill(9) }
            : any("R", message.id);
        call.write({ case: "reply", commandId, payload, events: [any("E", message.id)], snapshot: undefined });
      });
      call.on("end", () => call.end());
    },
  } as grpc.UntypedServiceImplementation);
  return listenAndDrain(server);
}

/** Plays the backend: sends messages on one stream and collects what comes back until the stream ends. */
function converse(client: EntityClient, messages: StreamIn[], expectAnswers: number) {
  return new Promise<{ answers: StreamOut[]; status: grpc.StatusObject }>((resolve) => {
    const answers: StreamOut[] = [];
    const call = client.handle();
    call.on("data", (m: StreamOut) => {
      answers.push(m);
      if (answers.length === expectAnswers) call.end();
    });
    call.on("error", () => {});
    call.on("status", (status) => resolve({ answers, status }));
    for (const m of messages) call.write(m);
    if (expectAnswers === 0) call.end();
  });
}

describe("interceptor", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tck-intercept-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function withInterceptor(
    behaviour: Parameters<typeof startRawUserFunction>[0],
    body: (
      client: EntityClient,
      interceptor: RunningInterceptor,
      violations: ViolationReport[],
      transcriptDir: string,
      firstViolation: Promise<void>,
    ) => Promise<void>,
  ) {
    const userFunction = await startRawUserFunction(behaviour);
    const violations: ViolationReport[] = [];
    let violated!: () => void;
    const firstViolation = new Promise<void>((resolve) => (violated = resolve));
    const transcriptDir = mkdtempSync(join(dir, "run-"));
    const interceptor = await startInterceptor({
      listen: "127.0.0.1:0",
      target: userFunction.address,
      transcriptDir,
      onViolation: (r) => {
        violations.push(r);
        violated();
      },
      // Short only where a test waits for the D3 report (a command never answered); elsewhere a loaded
      // machine moving 5 MiB must not count as a late answer.
      answerTimeoutMs: behaviour?.hangOn === undefined ? 60_000 : 200,
    });
    const client = createEntityClient(interceptor.address, { channel: { "grpc.max_receive_message_length": -1 } });
    try {
      await body(client, interceptor, violations, transcriptDir, firstViolation);
    } finally {
      client.close();
      await interceptor.close();
      await userFunction.close();
    }
  }

  it("forwards ready and handle traffic unchanged and writes a JSONL transcript per stream", async () => {
    await withInterceptor({}, async (client, interceptor, violations, transcriptDir) => {
      const spec = await readyOf(client);
      assert.equal(spec.serviceName, "x.S");
      assert.deepEqual([...spec.proto], [...keyedDescriptor()]);
      const { answers, status } = await converse(
        client,
        [
          { case: "init", entityId: "e1", snapshot: undefined },
          { case: "command", entityId: "e1", id: 1, name: "Do", payload: any("Req", 7) },
        ],
        1,
      );
      assert.equal(status.code, grpc.status.OK);
      assert.deepEqual(answers, [{ case: "reply", commandId: 1, payload: any("R", 1), events: [any("E", 1)], snapshot: undefined }]);
      assert.deepEqual(
        violations.map((v) => v.violation.cause),
        [],
      );
      assert.equal(interceptor.summary().streams, 1);
      const files = readdirSync(transcriptDir)
        .filter((f) => f.startsWith("s"))
        .map((f) => join(transcriptDir, f));
      assert.equal(files.length, 1);
      await interceptor.settled();
      const entries = readFileSync(files[0]!, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        entries.map((e) => e.kind),
        ["open", "to-user-function", "to-user-function", "to-backend", "backend-half-close", "end"],
      );
      assert.equal(entries.at(-1).outcome, "completed");
      assert.equal(entries.at(-1).status, "OK");
      // ready() is recorded too.
      const ready = readFileSync(join(transcriptDir, "ready.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        ready.map((e) => [e.kind, e.spec?.serviceName]),
        [["ready", "x.S"]],
      );
    });
  });

  it("judges every ready() answer against A1–A3: a descriptor without the named service is the user function's A2 violation and fails the run", async () => {
    await withInterceptor({ proto: Uint8Array.from([10, 1, 120]) }, async (client, interceptor, violations, transcriptDir) => {
      for (let i = 0; i < 2; i++) await readyOf(client);
      await interceptor.settled();
      // Judged once, though asked twice.
      assert.deepEqual(
        violations.map((v) => [v.stream, v.violation.side, v.violation.item]),
        [["ready", "user function", "A2"]],
        JSON.stringify(violations.map((v) => v.violation)),
      );
      assert.match(violations[0]!.violation.actual, /no services/);
      assert.match(violations[0]!.violation.cause, /^answered ready\(\) with a spec that breaks A2/);
      assert.ok(
        interceptor.summary().runFailures.some((f) => /ready\(\) answer breaks A2/.test(f)),
        interceptor.summary().runFailures.join("; "),
      );
      await interceptor.close();
      const ready = readFileSync(join(transcriptDir, "ready.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        ready.map((e) => e.kind),
        ["ready", "violation", "ready"],
      );
    });
  });

  it(
    "reports a command the user function never answers within the answer timeout, naming the command, the stream and the wait",
    { timeout: 20_000 },
    async () => {
      await withInterceptor({ hangOn: "Get" }, async (client, interceptor, violations, _dir, firstViolation) => {
        const call = client.handle();
        call.on("error", () => {});
        // Get goes once Do is answered; it is never answered.
        call.on("data", () => call.write({ case: "command", entityId: "e5", id: 2, name: "Get", payload: any("Req") }));
        call.write({ case: "init", entityId: "e5", snapshot: undefined });
        call.write({ case: "command", entityId: "e5", id: 1, name: "Do", payload: any("Req") });
        // Bounded by the setting: 20 answer timeouts without a report is a missed report.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([firstViolation, new Promise<void>((resolve) => (timer = setTimeout(resolve, 20 * 200)))]);
        clearTimeout(timer);
        call.cancel();
        assert.ok(violations.length > 0, "no violation reported for a command left unanswered for 20 answer timeouts");
        const report = violations[0]!;
        assert.deepEqual([report.stream, report.violation.side, report.violation.item], ["s1", "user function", "D3"]);
        assert.match(report.violation.cause, /^did not answer Command 2 \(Get\) on stream s1 within 200 ms/);
        assert.match(report.violation.actual, /^no answer after \d+ ms/);
        await interceptor.settled();
        assert.equal(violations.length, 1, "reported once, not again when the stream ends");
      });
    },
  );

  it("reports a wrong command id as a violation with the stream's transcript", async () => {
    await withInterceptor({ wrongIdFor: 2 }, async (client, interceptor, violations) => {
      await new Promise<void>((resolve) => {
        const call = client.handle();
        let seen = 0;
        call.on("data", () => {
          seen += 1;
          if (seen === 1) call.write({ case: "command", entityId: "e4", id: 2, name: "Do", payload: any("Req") });
          else call.end();
        });
        call.on("error", () => {});
        call.on("status", () => resolve());
        call.write({ case: "init", entityId: "e4", snapshot: undefined });
        call.write({ case: "command", entityId: "e4", id: 1, name: "Do", payload: any("Req") });
      });
      assert.equal(violations.length, 1);
      const report = violations[0]!;
      assert.equal(report.violation.item, "D2");
      assert.equal(report.entityId, "e4");
      assert.match(report.violation.expected, /command id 2/);
      assert.match(report.violation.actual, /command id 102/);
      assert.ok(report.transcript.some((e) => e.kind === "to-backend"));
      assert.equal(interceptor.summary().streamsWithViolations, 1);
    });
  });

  it("forwards messages above gRPC's default 4 MiB limit both ways", async () => {
    await withInterceptor({}, async (client, _interceptor, violations) => {
      const big = new Uint8Array(5 * 1024 * 1024).fill(7);
      const { answers, status } = await converse(
        client,
        [
          { case: "init", entityId: "big", snapshot: { sequence: 1, payload: { typeUrl: "type.googleapis.com/S", value: big } } },
          { case: "command", entityId: "big", id: 1, name: "Do", payload: any("Req") },
        ],
        1,
      );
      assert.equal(status.code, grpc.status.OK, status.details);
      assert.equal(answers.length, 1);
      const answer = answers[0]!;
      assert.equal(answer.case === "reply" ? answer.payload?.value.length : 0, 5 * 1024 * 1024);
      assert.deepEqual(
        violations.map((v) => v.violation.cause),
        [],
      );
    });
  });

  it("passes the user function's error status through to the backend", async () => {
    await withInterceptor({ failStreamWith: "bad stream" }, async (client, interceptor, _violations, transcriptDir) => {
      const { status } = await converse(
        client,
        [
          { case: "init", entityId: "e1", snapshot: undefined },
          { case: "command", entityId: "e1", id: 1, name: "Do", payload: any("Req") },
        ],
        1,
      );
      assert.equal(status.code, grpc.status.FAILED_PRECONDITION);
      assert.equal(status.details, "bad stream");
      await interceptor.settled();
      const end = JSON.parse(readFileSync(join(transcriptDir, "s1.jsonl"), "utf8").trim().split("\n").at(-1)!);
      assert.deepEqual([end.kind, end.outcome, end.status], ["end", "user-function-failed", "FAILED_PRECONDITION: bad stream"]);
    });
  });
});
