import { expectedFailureText } from "./verdict-text.js";
import type { NotRun, RunSummary, ScenarioVerdict } from "./scenario-verdict.js";

/** Where the readable run goes: stdout in the CLI, a buffer in tests. */
export interface Output {
  write(text: string): unknown;
}

export interface ProgressPrinter {
  header(text: string): void;
  scenario(verdict: ScenarioVerdict): void;
  notRun(notRun: NotRun): void;
  problem(text: string): void;
  /** With `notRun` (modes that skip scenarios on purpose), the list and the count are part of the summary. */
  summary(summary: RunSummary, notRun?: readonly NotRun[]): void;
}

/** The kit's own readable output: one line per scenario, failures in full, then the summary line CI parses. */
export function createProgressPrinter(out: Output): ProgressPrinter {
  return {
    header(text) {
      out.write(`${text}\n\n`);
    },
    scenario(v) {
      const where = `(${v.uri}, ${Math.round(v.durationMs)} ms)`;
      switch (v.kind) {
        case "passed":
          out.write(
            `  ✔ ${v.name} ${where}${v.knownFailure?.flaky ? ` (known flaky, line ${v.knownFailure.line}: passed this time)` : ""}\n`,
          );
          for (const note of v.notes ?? []) out.write(`      ${note}\n`);
          return;
        case "expected-failure":
          out.write(`  ~ ${v.name} ${where}\n      ${expectedFailureText(v)}\n`);
          return;
        case "now-passing":
          out.write(
            `  ✘ ${v.name} ${where}\n      NOW PASSES but is on the known-failing list (line ${v.knownFailure?.line}, "${v.knownFailure?.reason}"): remove it from the list\n`,
          );
          return;
        case "failed":
          out.write(`  ✘ ${v.name} ${where}\n`);
          if (v.failure) {
            out.write(`      step: ${v.failure.step}\n`);
            out.write(`${indent(v.failure.message.trim(), "      ")}\n`);
          } else {
            out.write(`      status ${v.status}\n`);
          }
          out.write("\n");
          return;
      }
    },
    notRun(n) {
      out.write(`  ○ ${n.name} (${n.uri})\n      not run: ${n.reason}\n`);
    },
    problem(text) {
      out.write(`  ✘ ${text}\n`);
    },
    summary(s, notRun) {
      out.write("\n");
      if (s.expectedFailures > 0) out.write(`${s.expectedFailures} expected failure(s) from the known-failing list (not counted)\n`);
      for (const k of s.unmatchedKnownFailures) {
        out.write(
          `warning: known-${k.flaky ? "flaky" : "failing"} list line ${k.line} matched no scenario in this run: ${JSON.stringify(k.scenario)}\n`,
        );
      }
      for (const k of s.staleKnownFailures) {
        out.write(
          `✘ known-failing list line ${k.line} (${JSON.stringify(k.scenario)}, ${k.match}) NOW PASSES: every scenario it picked passed; remove it from the list\n`,
        );
      }
      const failedNames = s.verdicts.filter((v) => v.kind === "failed" || v.kind === "now-passing").map((v) => v.name);
      if (failedNames.length > 0) out.write(`failed scenarios:\n${failedNames.map((n) => `  - ${n}\n`).join("")}`);
      if (notRun && notRun.length > 0)
        out.write(`not run (never counted as passed):\n${notRun.map((n) => `  - ${n.name}: ${n.reason}\n`).join("")}`);
      out.write(`${s.passed} passed, ${s.failed} failed${notRun ? `, ${notRun.length} not run` : ""}\n`);
    },
  };
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => (line.startsWith("    ") || line.trim() === "" ? prefix + line : prefix + line.trimStart()))
    .join("\n");
}
