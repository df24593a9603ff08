/** The report formats cucumber writes for the kit. */
export type ReportKind = "junit" | "json" | "html";

/** A report to write at the end of a run: `--report junit:reports/tck.xml`. */
export interface ReportRequest {
  readonly kind: ReportKind;
  readonly file: string;
}
