/**
 * The report formats: `html` is the kit's own page (settings, catalogue coverage, failures with
 * their sequence diagrams); `cucumber-html` is cucumber's generic page; `junit` and `json` as cucumber
 * defines them, corrected to the kit's verdicts.
 */
export type ReportKind = "junit" | "json" | "html" | "cucumber-html";

/** A report to write at the end of a run: `--report junit:reports/tck.xml`. */
export interface ReportRequest {
  readonly kind: ReportKind;
  readonly file: string;
}

export const reportKinds: readonly ReportKind[] = ["junit", "json", "html", "cucumber-html"];

export const reportUsage = `  --report LIST            reports, comma-separated KIND:FILE; KIND html (the kit's own page: settings,
                           catalogue coverage, failures with expected/actual and sequence diagrams),
                           junit, json, or cucumber-html (cucumber's generic page)`;
