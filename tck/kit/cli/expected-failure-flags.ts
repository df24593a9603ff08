/**
 * The expected-failure flags every mode shares: parseArgs options, their help text, and what they
 * resolve to. One definition so `tck user-function` and `tck backend` read them alike.
 */
export interface ExpectedFailureFiles {
  readonly knownFailingFile?: string;
  readonly knownFlakyFile?: string;
  readonly writeKnownFailingFile?: string;
}

export const expectedFailureOptions = {
  "known-failing": { type: "string" },
  "known-flaky": { type: "string" },
  "write-known-failing": { type: "string" },
} as const;

export const expectedFailureUsage = `  --known-failing FILE     scenarios expected to fail, one per line: "<entry> # <reason>", the entry a
                           full scenario name, a catalogue id (D2: every @D2 scenario) or a glob
                           ("F3 *"); a listed scenario that passes fails the run (an id or glob entry
                           only when every scenario it picks passed)
  --known-flaky FILE       scenarios that may pass or fail (same format): reported, never counted
  --write-known-failing FILE
                           after the run, write its failures as a known-failing list to FILE`;

export function expectedFailureFiles(values: Readonly<Record<string, unknown>>): ExpectedFailureFiles {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const knownFailingFile = text("known-failing");
  const knownFlakyFile = text("known-flaky");
  const writeKnownFailingFile = text("write-known-failing");
  return {
    ...(knownFailingFile === undefined ? {} : { knownFailingFile }),
    ...(knownFlakyFile === undefined ? {} : { knownFlakyFile }),
    ...(writeKnownFailingFile === undefined ? {} : { writeKnownFailingFile }),
  };
}
