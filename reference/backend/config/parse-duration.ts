const unitMs = { ms: 1, s: 1_000, m: 60_000 } as const;

/**
 * A duration such as `250ms`, `30s`, `1.5m` in whole milliseconds, or
 * undefined if the text is not one. A unit is required: a bare `30` is
 * ambiguous between the seed's seconds and Node's milliseconds.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const ms = Number(amount) * unitMs[unit as keyof typeof unitMs];
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined;
}
