import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Envelope } from "@cucumber/messages";
import { packageRoot } from "../../../reference/protocol/index.js";
import { expectedFailureText, nowPassesText } from "./verdict-text.js";
import type { ScenarioVerdict } from "./scenario-verdict.js";
import { sequenceMediaType, type Sequence, type SequenceEntry } from "./sequence-entry.js";
import { notRunMediaType } from "./verdict-collector.js";

/**
 * The kit's own report (`--report html:FILE`): one self-contained page, no script, no network.
 * It holds the run's settings, the catalogue coverage matrix (item → scenarios → verdict), and
 * every failure with what was expected, what arrived and its transcript drawn as a sequence
 * diagram. Everything that came from the subject or the run is escaped: a user function's text
 * is data, never markup.
 */
export interface KitReportRun {
  /** Settings of the run, in the order shown (kit version, mode, subject, target, seed, …). */
  readonly settings: readonly (readonly [string, string])[];
}

/** One catalogue item as docs/tck-catalogue.md lists it. */
export interface CatalogueItem {
  readonly id: string;
  readonly modes: string;
  readonly check: string;
}

/** What the report keeps of one scenario of the run. */
export interface ReportedScenario {
  readonly name: string;
  readonly uri: string;
  readonly tags: readonly string[];
  /** The kit's verdict kind, or "not-run" with its reason. */
  readonly outcome: ScenarioVerdict["kind"] | "not-run";
  readonly step?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly transcript?: string;
  readonly sequence?: Sequence;
  readonly durationMs?: number;
}

/** Reads the catalogue's items from the project's docs/tck-catalogue.md (shipped in the package). */
export function readCatalogue(file = join(packageRoot(import.meta.url), "docs/tck-catalogue.md")): CatalogueItem[] {
  if (!existsSync(file)) return [];
  const items: CatalogueItem[] = [];
  // The tables differ by section ("id | mode | the check", "id | the check | where", "id | the property"):
  // each row is read by the header above it.
  let header: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("|")) continue;
    const cells = line
      .slice(1, line.trimEnd().endsWith("|") ? line.trimEnd().length - 1 : undefined)
      .split("|")
      .map((c) => c.trim());
    if (cells[0] === "id") {
      header = cells;
      continue;
    }
    if (!/^[A-N]\d{1,2}$/.test(cells[0] ?? "")) continue;
    const column = (...names: string[]) => cells[header.findIndex((h) => names.includes(h))] ?? "";
    items.push({
      id: cells[0]!,
      modes: column("mode"),
      check: (column("the check", "the property") || (cells[1] ?? "")).replace(/`/g, ""),
    });
  }
  return items;
}

/**
 * Follows the run's envelopes and keeps, per scenario, what the report shows: the verdict (with its
 * failing step and message, judged by the verdict collector) and the scenario's attachments.
 */
export function createScenarioGatherer(): {
  envelope(envelope: Envelope, verdict: ScenarioVerdict | undefined): void;
  readonly scenarios: readonly ReportedScenario[];
} {
  const pickles = new Map<string, { name: string; uri: string; tags: string[] }>();
  const testCases = new Map<string, string>();
  const started = new Map<string, { testCaseId: string; transcript?: string; sequence?: Sequence; notRun?: string }>();
  const scenarios: ReportedScenario[] = [];
  return {
    scenarios,
    envelope(envelope, verdict) {
      if (envelope.pickle)
        pickles.set(envelope.pickle.id, {
          name: envelope.pickle.name,
          uri: envelope.pickle.uri,
          tags: envelope.pickle.tags.map((t) => t.name),
        });
      if (envelope.testCase) testCases.set(envelope.testCase.id, envelope.testCase.pickleId);
      if (envelope.testCaseStarted) started.set(envelope.testCaseStarted.id, { testCaseId: envelope.testCaseStarted.testCaseId });
      const attachment = envelope.attachment;
      const run = attachment?.testCaseStartedId ? started.get(attachment.testCaseStartedId) : undefined;
      if (attachment && run) {
        if (attachment.mediaType === "text/plain" && attachment.fileName === "transcript.txt") run.transcript = attachment.body;
        if (attachment.mediaType === sequenceMediaType) {
          try {
            run.sequence = JSON.parse(attachment.body) as Sequence;
          } catch {
            // A sequence that does not parse is a kit bug; the text transcript still shows.
          }
        }
        if (attachment.mediaType === notRunMediaType) run.notRun = attachment.body.replace(/^not run: /, "");
      }
      if (envelope.testCaseFinished && !envelope.testCaseFinished.willBeRetried) {
        const finished = started.get(envelope.testCaseFinished.testCaseStartedId);
        const pickle = finished && pickles.get(testCases.get(finished.testCaseId) ?? "");
        if (!finished || !pickle) return;
        if (!verdict) {
          if (finished.notRun !== undefined) scenarios.push({ ...pickle, outcome: "not-run", reason: finished.notRun });
          return;
        }
        scenarios.push({
          ...pickle,
          outcome: verdict.kind,
          ...(verdict.failure ? { step: verdict.failure.step, message: verdict.failure.message } : {}),
          ...(verdict.kind === "expected-failure" ? { reason: expectedFailureText(verdict) } : {}),
          ...(verdict.kind === "now-passing" ? { reason: nowPassesText(verdict) } : {}),
          ...(finished.transcript !== undefined ? { transcript: finished.transcript } : {}),
          ...(finished.sequence ? { sequence: finished.sequence } : {}),
          durationMs: verdict.durationMs,
        });
      }
    },
  };
}

const outcomeLabel: Record<ReportedScenario["outcome"], string> = {
  passed: "passed",
  failed: "FAILED",
  "expected-failure": "known failing",
  "now-passing": "NOW PASSES",
  "not-run": "not run",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Catalogue ids a scenario carries as tags (`@D2`). */
function catalogueIds(scenario: ReportedScenario): string[] {
  return scenario.tags.map((t) => /^@([A-N]\d{1,2})$/.exec(t)?.[1]).filter((id): id is string => id !== undefined);
}

/** The expected and actual lines of the kit's failure messages ("  expected: …" / "  actual:   …"). */
export function expectedAndActual(message: string | undefined): { expected: string; actual: string } | undefined {
  if (!message) return undefined;
  const expected = /^\s*expected: (.*)$/m.exec(message)?.[1];
  const actual = /^\s*actual:\s+(.*)$/m.exec(message)?.[1];
  return expected !== undefined && actual !== undefined ? { expected, actual } : undefined;
}

export function renderKitReport(
  run: KitReportRun,
  scenarios: readonly ReportedScenario[],
  catalogue: readonly CatalogueItem[],
  problems: readonly string[] = [],
): string {
  const count = (outcome: ReportedScenario["outcome"]) => scenarios.filter((s) => s.outcome === outcome).length;
  const failed = count("failed") + count("now-passing") + problems.length;
  const verdict = failed === 0 && scenarios.length > 0 ? "PASSED" : "FAILED";
  const settings = run.settings.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("");
  const totals =
    `<p class="totals" data-verdict="${verdict}"><strong>${verdict}</strong>: ${count("passed")} passed, ${failed} failed` +
    `${count("expected-failure") ? `, ${count("expected-failure")} known failing` : ""}${count("not-run") ? `, ${count("not-run")} not run` : ""}</p>`;

  const byItem = new Map<string, ReportedScenario[]>();
  for (const scenario of scenarios) for (const id of catalogueIds(scenario)) (byItem.get(id) ?? byItem.set(id, []).get(id)!).push(scenario);
  const items = catalogue.length > 0 ? catalogue : [...byItem.keys()].sort().map((id) => ({ id, modes: "", check: "" }));
  const itemState = (list: readonly ReportedScenario[]): string => {
    if (list.length === 0) return "not in this run";
    if (list.some((s) => s.outcome === "failed" || s.outcome === "now-passing")) return "failed";
    if (list.some((s) => s.outcome === "expected-failure")) return "known failing";
    if (list.every((s) => s.outcome === "not-run")) return "not run";
    return "passed";
  };
  const matrix = items
    .map((item) => {
      const list = byItem.get(item.id) ?? [];
      const state = itemState(list);
      const cells = list
        .map((s) => `<li class="${s.outcome}"><span class="badge">${outcomeLabel[s.outcome]}</span> ${escapeHtml(s.name)}</li>`)
        .join("");
      return (
        `<tr class="item" data-item="${escapeHtml(item.id)}" data-state="${state}"><th>${escapeHtml(item.id)}</th><td>${escapeHtml(item.modes)}</td>` +
        `<td>${escapeHtml(item.check)}</td><td class="state">${state}</td><td>${cells ? `<ul>${cells}</ul>` : ""}</td></tr>`
      );
    })
    .join("");

  const failures = scenarios.filter((s) => s.outcome === "failed" || s.outcome === "now-passing" || s.outcome === "expected-failure");
  const failureSections = failures.map((s, i) => renderFailure(s, i)).join("");
  const notRun = scenarios.filter((s) => s.outcome === "not-run");
  const all = scenarios
    .map(
      (s) =>
        `<tr class="${s.outcome}"><td><span class="badge">${outcomeLabel[s.outcome]}</span></td><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.uri)}</td><td>${s.durationMs === undefined ? "" : `${Math.round(s.durationMs)} ms`}</td></tr>`,
    )
    .join("");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>TCK report: ${verdict}</title>
<style>${css}</style></head>
<body>
<h1>TCK report</h1>
${totals}
<section id="settings"><h2>Run</h2><table class="settings">${settings}</table></section>
${problems.length ? `<section id="problems"><h2>Problems</h2>${problems.map((p) => `<pre class="problem">${escapeHtml(p)}</pre>`).join("")}</section>` : ""}
<section id="coverage"><h2>Catalogue coverage</h2>
<table class="matrix"><thead><tr><th>item</th><th>modes</th><th>the check</th><th>in this run</th><th>scenarios</th></tr></thead><tbody>${matrix}</tbody></table></section>
<section id="failures"><h2>Failures (${failures.length})</h2>${failures.length ? failureSections : "<p>None.</p>"}</section>
${notRun.length ? `<section id="not-run"><h2>Not run (${notRun.length})</h2><ul>${notRun.map((s) => `<li><strong>${escapeHtml(s.name)}</strong>: ${escapeHtml(s.reason ?? "")}</li>`).join("")}</ul></section>` : ""}
<section id="scenarios"><h2>Every scenario (${scenarios.length})</h2><table class="scenarios">${all}</table></section>
</body></html>
`;
}

function renderFailure(scenario: ReportedScenario, index: number): string {
  const parts = expectedAndActual(scenario.message);
  const detail = parts
    ? `<dl class="expectation"><dt>expected</dt><dd class="expected">${escapeHtml(parts.expected)}</dd><dt>arrived</dt><dd class="actual">${escapeHtml(parts.actual)}</dd></dl>`
    : "";
  return `<article class="failure ${scenario.outcome}" id="failure-${index + 1}">
<h3><span class="badge">${outcomeLabel[scenario.outcome]}</span> ${escapeHtml(scenario.name)}</h3>
<p class="where">${escapeHtml(scenario.uri)} · ${escapeHtml(scenario.tags.join(" "))}</p>
${scenario.reason ? `<p class="reason">${escapeHtml(scenario.reason)}</p>` : ""}
${scenario.step ? `<p class="step">failing step: <code>${escapeHtml(scenario.step)}</code></p>` : ""}
${detail}
${scenario.sequence ? renderSequence(scenario.sequence) : ""}
${scenario.message ? `<details><summary>the whole message</summary><pre class="message">${escapeHtml(scenario.message)}</pre></details>` : ""}
${scenario.transcript ? `<details><summary>text transcript</summary><pre class="transcript">${escapeHtml(scenario.transcript)}</pre></details>` : ""}
</article>`;
}

const rowHeight = 26;
const partyGap = 600;
const left = 190;
const labelMax = 80;

/** A transcript as an SVG sequence diagram: one lifeline per party, one row per entry. */
export function renderSequence(sequence: Sequence): string {
  const parties = [...sequence.parties];
  for (const entry of sequence.entries)
    for (const party of [entry.from, entry.to]) if (party && !parties.includes(party)) parties.push(party);
  const x = (party: string) => left + parties.indexOf(party) * partyGap;
  const width = left + Math.max(1, parties.length - 1) * partyGap + 180;
  const top = 50;
  const height = top + sequence.entries.length * rowHeight + 20;
  const heads = parties
    .map(
      (p) =>
        `<rect x="${x(p) - 80}" y="6" width="160" height="26" rx="4" class="party"/><text x="${x(p)}" y="24" text-anchor="middle" class="party-name">${escapeHtml(p)}</text>` +
        `<line x1="${x(p)}" y1="32" x2="${x(p)}" y2="${height}" class="lifeline"/>`,
    )
    .join("");
  const rows = sequence.entries.map((entry, i) => renderRow(entry, top + i * rowHeight + 18, x, parties)).join("");
  const omitted = sequence.omitted > 0 ? `<p class="omitted">${sequence.omitted} earlier entries not drawn</p>` : "";
  return `<figure class="sequence">${omitted}<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sequence diagram">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
${heads}${rows}</svg>${sequence.entries.length === 0 ? "<figcaption>nothing on the wire</figcaption>" : ""}</figure>`;
}

function renderRow(entry: SequenceEntry, y: number, x: (party: string) => number, parties: readonly string[]): string {
  const label = entry.text.length > labelMax ? `${entry.text.slice(0, labelMax)}…` : entry.text;
  // An ISO time shows its time of day only (the date is in the settings); the full one is in the title.
  const shownTime = /^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d\.\d+)Z$/.exec(entry.time)?.[1] ?? entry.time;
  const time = `<text x="8" y="${y}" class="time">${escapeHtml(shownTime)}</text><text x="8" y="${y + 11}" class="stream">${escapeHtml(entry.stream)}</text>`;
  const title = `<title>${escapeHtml(`${entry.time} ${entry.stream}: ${entry.text}`)}</title>`;
  if (entry.from && entry.to) {
    const x1 = x(entry.from);
    const x2 = x(entry.to);
    const textX = Math.min(x1, x2) + 10;
    return (
      `<g class="message" data-from="${escapeHtml(entry.from)}" data-to="${escapeHtml(entry.to)}">${title}${time}` +
      `<text x="${textX}" y="${y - 4}" class="label">${escapeHtml(label)}</text>` +
      `<line x1="${x1}" y1="${y + 2}" x2="${x2}" y2="${y + 2}" class="arrow" marker-end="url(#arrow)"/></g>`
    );
  }
  const from = x(parties[0]!);
  const to = x(parties.at(-1)!);
  return (
    `<g class="note">${title}${time}<rect x="${from - 60}" y="${y - 14}" width="${to - from + 120}" height="20" rx="3"/>` +
    `<text x="${(from + to) / 2}" y="${y}" text-anchor="middle">${escapeHtml(label)}</text></g>`
  );
}

const css = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1400px}
h1{margin:0 0 4px}h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse}th,td{padding:4px 8px;border:1px solid #d0d7de;vertical-align:top;text-align:left}
.settings th{background:#f6f8fa;font-weight:600}
.totals{font-size:16px}.totals[data-verdict=PASSED] strong{color:#1a7f37}.totals[data-verdict=FAILED] strong{color:#cf222e}
.badge{display:inline-block;border-radius:3px;padding:0 5px;font-size:12px;font-weight:600;background:#eaeef2}
.passed .badge{background:#dafbe1;color:#1a7f37}.failed .badge,.now-passing .badge{background:#ffebe9;color:#cf222e}
.expected-failure .badge{background:#fff8c5;color:#7d4e00}.not-run .badge{background:#eaeef2;color:#57606a}
.matrix ul{margin:0;padding-left:16px}.matrix tr[data-state=failed] .state{color:#cf222e;font-weight:600}
.matrix tr[data-state=passed] .state{color:#1a7f37}.matrix tr[data-state="not in this run"]{color:#8c959f}
.failure{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:4px;padding:8px 14px;margin:14px 0}
.failure.expected-failure{border-left-color:#d4a72c}
.expectation dt{font-weight:600}.expectation dd{margin:0 0 6px 0;font-family:ui-monospace,monospace;white-space:pre-wrap}
.expected{color:#1a7f37}.actual{color:#cf222e}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:420px}
.sequence{overflow-x:auto;margin:8px 0}.sequence svg{font:12px ui-monospace,monospace}
.party{fill:#ddf4ff;stroke:#54aeff}.party-name{font-weight:600}.lifeline{stroke:#8c959f;stroke-dasharray:4 3}
.arrow{stroke:#1b1f24}.label{fill:#1b1f24}.time,.stream{fill:#57606a;font-size:10px}
.note rect{fill:#fff8c5;stroke:#d4a72c}.note text{fill:#7d4e00}
`;
