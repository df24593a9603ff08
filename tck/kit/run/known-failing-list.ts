import { readFileSync } from "node:fs";

/**
 * How an entry picks its scenarios: by full name; by catalogue id (`D2`: every scenario tagged `@D2`);
 * or by a glob over names (`F3 *`, `* snapshot *`; `*` is any text).
 */
export type KnownFailureMatch = "name" | "catalogue-id" | "glob";

/** A scenario (or a group of them) the run expects to fail, or to be flaky, and why (connectrpc/conformance semantics). */
export interface KnownFailure {
  readonly scenario: string;
  readonly reason: string;
  readonly line: number;
  readonly match: KnownFailureMatch;
  /** From a known-flaky list: the scenario may pass or fail, and neither counts against the run. */
  readonly flaky: boolean;
}

export class KnownFailingListError extends Error {
  override readonly name = "KnownFailingListError";
}

const catalogueId = /^[A-N]\d{1,2}$/;

/**
 * Parses a known-failing (or known-flaky) list: one entry per line as `<scenario name, catalogue id or
 * glob> # <reason>`; blank lines and lines starting with `#` are comments. A reason is required.
 */
export function parseKnownFailingList(text: string, source = "known-failing list", flaky = false): KnownFailure[] {
  const entries: KnownFailure[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const split = line.lastIndexOf(" # ");
    if (split < 0)
      throw new KnownFailingListError(`${source}:${index + 1}: give a reason: "<scenario name, catalogue id or glob> # <reason>"`);
    const scenario = line.slice(0, split).trim();
    const reason = line.slice(split + 3).trim();
    if (scenario === "" || reason === "")
      throw new KnownFailingListError(`${source}:${index + 1}: both a scenario name and a reason are needed`);
    const match: KnownFailureMatch = catalogueId.test(scenario) ? "catalogue-id" : scenario.includes("*") ? "glob" : "name";
    entries.push({ scenario, reason, line: index + 1, match, flaky });
  });
  return entries;
}

export function readKnownFailingList(file: string, flaky = false): KnownFailure[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new KnownFailingListError(`cannot read the known-${flaky ? "flaky" : "failing"} list ${file}: ${(error as Error).message}`);
  }
  return parseKnownFailingList(text, file, flaky);
}

/** Whether an entry picks this scenario (by its name and its tags, e.g. `@D2`). */
export function entryMatches(entry: KnownFailure, name: string, tags: readonly string[]): boolean {
  switch (entry.match) {
    case "name":
      return entry.scenario === name;
    case "catalogue-id":
      return tags.includes(`@${entry.scenario}`);
    case "glob": {
      const pattern = entry.scenario
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
      return new RegExp(`^${pattern}$`).test(name);
    }
  }
}

/**
 * The entry that decides a scenario's verdict: a full name before a catalogue id before a glob, a
 * known-failing entry before a known-flaky one of the same kind.
 */
export function findKnownFailure(entries: readonly KnownFailure[], name: string, tags: readonly string[]): KnownFailure | undefined {
  const rank = (e: KnownFailure) => ({ name: 0, "catalogue-id": 2, glob: 4 })[e.match] + (e.flaky ? 1 : 0);
  return entries
    .filter((e) => entryMatches(e, name, tags))
    .sort((a, b) => rank(a) - rank(b))
    .at(0);
}

/**
 * A known-failing list holding exactly these failures, ready for `--known-failing` on the next run:
 * adopting the kit on a half-finished implementation is one run with `--write-known-failing`.
 */
export function formatKnownFailingList(
  failures: ReadonlyArray<{ readonly name: string; readonly why: string }>,
  header: readonly string[],
): string {
  const lines = header.map((h) => `# ${h}`);
  for (const f of failures) {
    // " # " separates name and reason: keep it out of the reason so the line parses back the same.
    const why = f.why.replace(/\s+/g, " ").replaceAll(" # ", " - ").trim().slice(0, 200) || "failed";
    lines.push(`${f.name} # ${why}`);
  }
  return `${lines.join("\n")}\n`;
}
