import { readFileSync } from "node:fs";

/** A scenario the run expects to fail, and why (connectrpc/conformance semantics). */
export interface KnownFailure {
  readonly scenario: string;
  readonly reason: string;
  readonly line: number;
}

export class KnownFailingListError extends Error {
  override readonly name = "KnownFailingListError";
}

/**
 * Parses a known-failing list: one scenario per line as `<scenario name> # <reason>`;
 * blank lines and lines starting with `#` are comments. A reason is required.
 */
export function parseKnownFailingList(text: string, source = "known-failing list"): KnownFailure[] {
  const entries: KnownFailure[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const split = line.lastIndexOf(" # ");
    if (split < 0) throw new KnownFailingListError(`${source}:${index + 1}: give a reason: "<scenario name> # <reason>"`);
    const scenario = line.slice(0, split).trim();
    const reason = line.slice(split + 3).trim();
    if (scenario === "" || reason === "") throw new KnownFailingListError(`${source}:${index + 1}: both a scenario name and a reason are needed`);
    entries.push({ scenario, reason, line: index + 1 });
  });
  return entries;
}

export function readKnownFailingList(file: string): KnownFailure[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new KnownFailingListError(`cannot read the known-failing list ${file}: ${(error as Error).message}`);
  }
  return parseKnownFailingList(text, file);
}
