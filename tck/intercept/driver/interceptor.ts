import { createWriteStream, mkdirSync, readdirSync, statSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  ProtocolDecodeError,
  decodeEntitySpec,
  decodeStreamIn,
  decodeStreamOut,
  handlePath,
  readyPath,
  type StreamIn,
  type StreamOut,
} from "../../../reference/protocol/index.js";
import { AnswerDeadlines } from "./answer-deadlines.js";
import type { FaultPlan } from "../faults/fault-spec.js";
import { createFaultInjector, type FaultInjector, type StreamFaults } from "../faults/faults.js";
import { createProtocolInvariants, type InvariantViolation } from "../../kit/protocol/protocol-invariants.js";
import { ReadOnlyReplies } from "./read-only-replies.js";
import { judgeReadyAnswer } from "./ready-check.js";
import { StreamEndTracker } from "./stream-end.js";
import { formatTranscript, streamInJson, streamOutJson, type InterceptTranscriptEntry } from "../../kit/transcript/intercept-transcript.js";

export interface InterceptorOptions {
  /** Where the backend connects, e.g. "127.0.0.1:0". */
  readonly listen: string;
  /** The user function, e.g. "127.0.0.1:8080". */
  readonly target: string;
  /**
   * A folder for one JSONL transcript per stream (`s1.jsonl`, …); none written when absent. It must
   * be new or empty: transcripts of different runs are never mixed.
   */
  readonly transcriptDir?: string;
  /** How long a command may wait for the user function's answer before it is a violation (D3); default 60 s, a backend's usual relay timeout. */
  readonly answerTimeoutMs?: number;
  /** Called for every violation, with the offending stream's transcript so far. */
  readonly onViolation?: (report: ViolationReport) => void;
  /** Faults to inject between the two sides (`--faults`, see fault-spec.ts); none when absent. */
  readonly faults?: FaultPlan;
}

export interface ViolationReport {
  /** The stream (`s1`, …), or "ready" for a `ready()` answer. */
  readonly stream: string;
  readonly entityId: string | undefined;
  readonly violation: InvariantViolation;
  readonly transcript: readonly InterceptTranscriptEntry[];
}

export interface InterceptorSummary {
  /** `ready` calls the backend made, and how many the user function answered. */
  readonly readyCalls: number;
  readonly readyAnswered: number;
  readonly streams: number;
  readonly streamsWithViolations: number;
  readonly violations: readonly ViolationReport[];
  /**
   * What makes the run fail besides violations: the backend never called `ready()`, or never
   * opened a `handle` stream (nothing was judged).
   */
  readonly runFailures: readonly string[];
}

export interface RunningInterceptor {
  /** The address it listens on (port resolved when 0 was asked for). */
  readonly address: string;
  readonly port: number;
  /** The fault injector (the faults applied, the oracle's client side) when faults were asked for. */
  readonly faults: FaultInjector | undefined;
  summary(): InterceptorSummary;
  /** Resolves once every stream opened so far has ended and its transcript file is written. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const identity = (b: Buffer) => b;

/** The default answer timeout: the reference backend's default relay timeout. */
export const defaultAnswerTimeoutMs = 60_000;

const rawEntityService = {
  handle: {
    path: handlePath,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  ready: {
    path: readyPath,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;

/**
 * Sits between a backend and a user function: forwards every byte unchanged,
 * records each `handle` stream, and checks the protocol invariants live.
 */
export async function startInterceptor(options: InterceptorOptions): Promise<RunningInterceptor> {
  // Messages of any size cross unchanged, as between the backend and the user function directly.
  const unlimited = { "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 };
  const connect = () => new grpc.Client(options.target, grpc.credentials.createInsecure(), unlimited);
  let upstream = connect();
  const invariants = createProtocolInvariants({ latestSnapshotOffers: true });
  const deadlines = new AnswerDeadlines(options.answerTimeoutMs ?? defaultAnswerTimeoutMs);
  const readOnly = new ReadOnlyReplies();
  const reports: ViolationReport[] = [];
  const streamsWithViolations = new Set<string>();
  let streamCount = 0;
  /** One promise per stream not yet ended, settled once its transcript file is flushed. */
  const unsettled = new Set<Promise<void>>();
  /** Set when close() cuts the streams still open: their cancel is the interceptor's, not the backend's. */
  let cutting = false;
  let readyCalls = 0;
  let readyAnswered = 0;
  if (options.transcriptDir) prepareTranscriptDir(options.transcriptDir);
  const faults = options.faults
    ? createFaultInjector(options.faults, {
        // A reset-connection: every stream was reset; the user function's connection is closed too.
        connectionReset: () => {
          const old = upstream;
          upstream = connect();
          old.close();
        },
      })
    : undefined;

  const handle = (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    const streamId = `s${++streamCount}`;
    const transcript: InterceptTranscriptEntry[] = [];
    const file: WriteStream | undefined = options.transcriptDir
      ? createWriteStream(join(options.transcriptDir, `${streamId}.jsonl`))
      : undefined;
    const record = (entry: InterceptTranscriptEntry) => {
      transcript.push(entry);
      file?.write(JSON.stringify(entry) + "\n");
    };
    const now = () => new Date().toISOString();
    const report = (violations: InvariantViolation[]) => {
      for (const violation of violations) {
        record({ time: now(), stream: streamId, kind: "violation", ...violation });
        streamsWithViolations.add(streamId);
        if (violation.side === "backend") readOnly.backendFault(streamId, violation.item);
        const r = { stream: streamId, entityId: invariants.entityOf(streamId), violation, transcript: [...transcript] };
        reports.push(r);
        options.onViolation?.(r);
      }
    };

    invariants.streamOpened(streamId);
    record({ time: now(), stream: streamId, kind: "open" });
    const upstreamCall = upstream.makeBidiStreamRequest(handlePath, identity, identity, call.metadata);

    // How the stream ended is settled only at its last event (StreamEndTracker says why).
    const ending = new StreamEndTracker();
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    unsettled.add(done);
    void done.then(() => unsettled.delete(done));

    // With --faults, everything that crosses goes through the stream's faults (faults.ts).
    const link: StreamFaults | undefined = faults?.stream({
      streamId,
      toUserFunction: (bytes) => upstreamCall.write(bytes),
      toBackend: (bytes) => {
        if (ending.cancelledByBackend) return false;
        call.write(bytes);
        return true;
      },
      reset: (why) => {
        call.emit("error", { code: grpc.status.UNAVAILABLE, details: why });
        upstreamCall.cancel();
      },
      note: (text) => record({ time: now(), stream: streamId, kind: "fault", text }),
      report,
    });

    const halfClose = () => {
      record({ time: now(), stream: streamId, kind: "backend-half-close" });
      invariants.backendClosed(streamId);
      if (link) link.halfClose(() => upstreamCall.end());
      else upstreamCall.end();
    };
    const settle = () => {
      const settled = ending.settle();
      if (!settled) return;
      const end = link?.wasReset ? { ...settled, outcome: "reset-by-fault" as const, persistence: "cancelled" as const } : settled;
      // Both sides are done: a half-close interpreted only now is recorded, but no fault acts on it.
      link?.ended(end.outcome === "completed");
      if (end.halfCloseFirst) halfClose();
      deadlines.streamEnded(streamId, end.outcome);
      readOnly.streamEnded(streamId);
      record({ time: now(), stream: streamId, kind: "end", outcome: end.outcome, status: end.status });
      invariants.streamEnded(streamId, end.persistence);
      if (file) file.end(() => finished());
      else finished();
    };

    call.on("data", (bytes: Buffer) => {
      let message: StreamIn | undefined;
      try {
        message = decodeStreamIn(bytes);
      } catch (error) {
        record(undecodable(streamId, "backend", bytes, error));
        report([
          {
            side: "backend",
            cause: "sent bytes that do not decode",
            item: "B5",
            rule: "every message decodes",
            expected: "an EntityStreamIn",
            actual: String(error),
          },
        ]);
      }
      if (message) {
        record({ time: now(), stream: streamId, kind: "to-user-function", message: streamInJson(message) });
        report(invariants.toUserFunction(streamId, message));
        // A stream a fault has touched is not judged by H9 or the answer deadline: a dropped Command is
        // never answered, and what crossed no longer tells what each side saw (the fault oracle judges it).
        if (!link?.faulted) readOnly.toUserFunction(streamId, message);
        if (message.case === "command" && !link?.faulted) {
          deadlines.commandSent(streamId, message.id, message.name, (v) => {
            if (!link?.faulted) report([v]);
          });
        }
      }
      if (link) link.toUserFunction(bytes, message);
      else upstreamCall.write(bytes);
    });
    call.on("end", () => {
      ending.backendEnded();
      // A `cancelled` of the same teardown comes within the current I/O callback's ticks.
      setImmediate(() => {
        if (ending.interpretEnd()) halfClose();
      });
    });
    call.on("cancelled", () => {
      if (ending.serverCancelled(cutting)) upstreamCall.cancel();
      settle();
    });
    call.on("close", () => {
      ending.serverClosed();
      settle();
    });
    call.on("error", () => upstreamCall.cancel());

    upstreamCall.on("data", (bytes: Buffer) => {
      let message: StreamOut | undefined;
      try {
        message = decodeStreamOut(bytes);
      } catch (error) {
        record(undecodable(streamId, "user function", bytes, error));
        report([
          {
            side: "user function",
            cause: "sent bytes that do not decode",
            item: "B5",
            rule: "every message decodes",
            expected: "an EntityStreamOut",
            actual: String(error),
          },
        ]);
      }
      // The answer to a command only a fault duplicated is neither judged nor forwarded.
      if (link?.absorbs(message)) return;
      if (message) {
        record({ time: now(), stream: streamId, kind: "to-backend", message: streamOutJson(message) });
        report(invariants.toBackend(streamId, message));
        if (message.case !== undefined) deadlines.answered(streamId, message.commandId);
        if (!link?.faulted) report(readOnly.toBackend(streamId, message));
      }
      if (link) link.toBackend(bytes, message);
      else if (!ending.cancelledByBackend) call.write(bytes);
    });
    upstreamCall.on("status", (status: grpc.StatusObject) => {
      if (ending.upstreamEnded(status) && !link?.wasReset) {
        const forward = () => {
          if (status.code === grpc.status.OK) call.end();
          else call.emit("error", { code: status.code, details: status.details, metadata: status.metadata });
        };
        if (link) link.statusToBackend(forward);
        else forward();
      }
      settle();
    });
    // Errors also arrive as "status"; this keeps the stream from throwing.
    upstreamCall.on("error", () => {});
  };

  // ready() answers are recorded in ready.jsonl and judged (A1–A3), each distinct answer once.
  const readyTranscript: InterceptTranscriptEntry[] = [];
  let readyFile: WriteStream | undefined;
  const judgedSpecs = new Set<string>();
  const readyViolations: InvariantViolation[] = [];
  const recordReady = (entry: InterceptTranscriptEntry) => {
    readyTranscript.push(entry);
    if (options.transcriptDir) {
      readyFile ??= createWriteStream(join(options.transcriptDir, "ready.jsonl"));
      readyFile.write(JSON.stringify(entry) + "\n");
    }
  };
  const judgeReady = async (bytes: Buffer) => {
    const key = bytes.toString("base64");
    if (judgedSpecs.has(key)) return;
    judgedSpecs.add(key);
    let violations: InvariantViolation[];
    try {
      violations = await judgeReadyAnswer(decodeEntitySpec(bytes));
    } catch (error) {
      violations = [
        {
          side: "user function",
          cause: "answered ready() with bytes that do not decode",
          item: "A1",
          rule: "ready() answers an EntitySpec",
          expected: "an EntitySpec",
          actual: String(error),
        },
      ];
    }
    for (const violation of violations) {
      recordReady({ time: new Date().toISOString(), stream: "ready", kind: "violation", ...violation });
      readyViolations.push(violation);
      const r = { stream: "ready", entityId: undefined, violation, transcript: [...readyTranscript] };
      reports.push(r);
      options.onViolation?.(r);
    }
  };
  const ready = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    readyCalls += 1;
    upstream.makeUnaryRequest(readyPath, identity, identity, call.request, call.metadata, (error, response) => {
      const time = new Date().toISOString();
      if (error || !response) {
        recordReady({
          time,
          stream: "ready",
          kind: "ready-failed",
          status: error ? `${grpc.status[error.code] ?? error.code}: ${error.details}` : "no answer",
        });
        callback(error);
        return;
      }
      readyAnswered += 1;
      callback(null, response);
      let spec;
      try {
        spec = decodeEntitySpec(response);
      } catch {
        spec = undefined;
      }
      const shown = spec && {
        serviceName: spec.serviceName,
        persistenceId: spec.persistenceId,
        proto: Buffer.from(spec.proto).toString("base64"),
      };
      recordReady({ time, stream: "ready", kind: "ready", spec: shown ?? { serviceName: "", persistenceId: "", proto: "" } });
      const judged = judgeReady(response);
      unsettled.add(judged);
      void judged.then(() => unsettled.delete(judged));
    });
  };
  const runFailures = (): string[] => {
    const failures: string[] = [];
    if (readyViolations.length > 0) {
      failures.push(
        `the user function's ready() answer breaks ${[...new Set(readyViolations.map((v) => v.item))].join(", ")} (discovery; see the violations above)`,
      );
    }
    if (readyCalls === 0) failures.push("the backend never called ready() (discovery): is its user-function address this interceptor's?");
    if (streamCount === 0) {
      const why =
        readyCalls === 0
          ? "no backend reached the interceptor"
          : readyAnswered === 0
            ? `ready() was called ${readyCalls} time(s) and the user function never answered it`
            : "ready() was answered: the backend refused the user function's spec, or no client sent it a command";
      failures.push(`the backend never opened a handle stream, so nothing was judged (${why})`);
    }
    return failures;
  };

  const server = new grpc.Server(unlimited);
  server.addService(rawEntityService, { handle, ready });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.listen, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(new Error(`cannot listen on ${options.listen}: ${error.message}`)) : resolve(bound),
    ),
  );
  const host = options.listen.slice(0, options.listen.lastIndexOf(":"));

  return {
    address: `${host}:${port}`,
    port,
    faults,
    settled: () => Promise.all([...unsettled]).then(() => undefined),
    summary: () => ({
      readyCalls,
      readyAnswered,
      streams: streamCount,
      streamsWithViolations: streamsWithViolations.size,
      violations: [...reports],
      runFailures: runFailures(),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        // Streams still open after a grace period are cut, so closing never hangs.
        const force = setTimeout(() => {
          cutting = true;
          server.forceShutdown();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          deadlines.close();
          upstream.close();
          if (readyFile) readyFile.end(() => resolve());
          else resolve();
        });
      }),
  };
}

/** Creates the transcripts folder, or accepts an existing empty one; anything else is refused. */
function prepareTranscriptDir(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`transcripts folder ${dir} is not a folder`);
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(dir, { recursive: true });
    return;
  }
  if (entries.length > 0) {
    const shown = entries.sort().slice(0, 3).join(", ");
    throw new Error(
      `transcripts folder ${dir} is not empty (${entries.length} entr${entries.length === 1 ? "y" : "ies"}: ${shown}${entries.length > 3 ? ", …" : ""}): ` +
        "give a new or empty folder, so this run's transcripts are not mixed with an earlier run's",
    );
  }
}

function undecodable(stream: string, from: string, bytes: Buffer, error: unknown): InterceptTranscriptEntry {
  return {
    time: new Date().toISOString(),
    stream,
    kind: "undecodable",
    from,
    bytes: bytes.toString("base64"),
    error: error instanceof ProtocolDecodeError ? error.message : String(error),
  };
}

export { formatTranscript };
