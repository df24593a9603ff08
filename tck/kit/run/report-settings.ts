import { kitVersion } from "./kit-version.js";
import type { RunOptions } from "./run-options.js";

/** The settings every mode's HTML report shows first; each mode puts its own after the mode's name. */
export function reportSettings(mode: string, own: readonly (readonly [string, string])[], options: RunOptions): [string, string][] {
  return [
    ["kit", kitVersion()],
    ["mode", mode],
    ...own.map(([k, v]): [string, string] => [k, v]),
    ["tags", options.tags ?? "(every scenario)"],
    ["timeout", `${options.timeoutMs} ms`],
    ["seed", options.seed === undefined ? "fresh per property (printed with a failure)" : String(options.seed)],
    ["runs per property", String(options.runs)],
    ["known-failing entries", String(options.knownFailing?.length ?? 0)],
    ["started", new Date().toISOString()],
  ];
}
