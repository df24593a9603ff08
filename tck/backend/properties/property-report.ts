import fc from "fast-check";

/** Seed, path, shrunk counterexample, the error it raised, and how to rerun it. */
export function propertyReport<Ts>(details: fc.RunDetails<Ts>, rerunCommand: string): string {
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance ?? "");
  const report = fc.defaultReportMessage(details) ?? "the property failed";
  const withError = error && !report.includes(error) ? `${report}\nGot error: ${error}` : report;
  // --seed=N: a negative seed after a space would read as an option.
  return `${withError}\nrerun: ${rerunCommand} --seed=${details.seed}`;
}
