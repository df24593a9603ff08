const unitBytes = { B: 1, KiB: 1024, MiB: 1024 * 1024, GiB: 1024 * 1024 * 1024 } as const;

/**
 * A size such as `4MiB`, `512KiB`, `200B` or a bare `4096` (bytes), in whole
 * bytes, or undefined if the text is not one. Binary units only: `MB` would
 * leave a reader guessing between 10^6 and 2^20.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)(B|KiB|MiB|GiB)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const bytes = Number(amount) * unitBytes[(unit ?? "B") as keyof typeof unitBytes];
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
