/**
 * Where a process spent its CPU, from a V8 CPU profile (`node --cpu-prof`, written by `npm run bench
 * -- --profile DIR`): self time per sample summed by category (gRPC and HTTP/2, Node's streams and
 * events, protobuf, this project's own code, garbage collection, the rest) and the busiest functions.
 * Shares are of busy time: the profile's idle samples are left out.
 */
import { readFileSync } from "node:fs";

/** The parts of a `.cpuprofile` this reads (the Chrome DevTools protocol's Profile). */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  /** Of busy time, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly categories: readonly Share[];
  readonly functions: readonly Share[];
}

export const categoryNames = {
  transport: "gRPC and HTTP/2 (grpc-js, node:http2)",
  node: "Node streams, events, buffers, timers, promises",
  protobuf: "protobuf (protobufjs, generated codecs)",
  project: "this project's code",
  gc: "garbage collection",
  program: "V8 and native (program)",
  other: "other",
} as const;

/** The category of one frame; `projectRoot` is the checkout's path (frames under it outside node_modules are the project's). */
export function categoryOf(functionName: string, url: string, projectRoot: string): keyof typeof categoryNames | "idle" {
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "gc";
  if (functionName === "(program)") return "program";
  if (/node_modules\/@grpc\/|^node:internal\/http2\/|^node:http2$/.test(url)) return "transport";
  if (/node_modules\/(protobufjs|@protobufjs)\//.test(url)) return "protobuf";
  // protobufjs compiles each type's codec with `new Function`: no url, a Type$method name.
  if (url === "" && /\$(encode|decode|fromObject|toObject|verify)$/.test(functionName)) return "protobuf";
  const path = url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
  if (path.startsWith(projectRoot) && !path.includes("/node_modules/")) return "project";
  if (/^node:|^internal\//.test(url) || ["runMicrotasks", "writeBuffer", "writev", "(root)"].includes(functionName)) return "node";
  return "other";
}

export function summarizeCpuProfile(profile: CpuProfile, projectRoot: string, topFunctions = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id);
    if (!frame) continue;
    const category = categoryOf(frame.functionName, frame.url, projectRoot);
    if (category === "idle") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    categories.set(categoryNames[category], (categories.get(categoryNames[category]) ?? 0) + us);
    const where = frame.url
      .replace(/^file:\/\//, "")
      .replace(projectRoot, "")
      .replace(/.*\/node_modules\//, "");
    const name = `${frame.functionName || "(anonymous)"}${where ? ` ${where}:${frame.lineNumber + 1}` : ""}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const shares = (map: Map<string, number>, limit: number): Share[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    categories: shares(categories, Infinity),
    functions: shares(functions, topFunctions),
  };
}

export function readCpuProfile(file: string): CpuProfile {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<CpuProfile>;
  if (!Array.isArray(parsed.nodes) || !Array.isArray(parsed.samples) || !Array.isArray(parsed.timeDeltas)) {
    throw new Error(`${file} is not a V8 CPU profile (no nodes, samples and timeDeltas)`);
  }
  return parsed as CpuProfile;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

export function formatProfileSummary(name: string, file: string, summary: ProfileSummary): string {
  return [
    `profile ${name}: ${file}; busy ${Math.round(summary.busyMs)} ms, idle ${Math.round(summary.idleMs)} ms`,
    ...summary.categories.map((c) => `  ${percent(c.share).padStart(6)}  ${c.name}`),
    "  busiest functions (self time):",
    ...summary.functions.map((f) => `  ${percent(f.share).padStart(6)}  ${f.name}`),
  ].join("\n");
}
