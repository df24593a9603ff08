/**
 * A behaviour the backend under test got wrong: what was expected, what
 * happened, the catalogue item, and the traffic the kit's user function saw.
 */
export class BackendExpectationFailure extends Error {
  override readonly name = "BackendExpectationFailure";

  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly transcript: string,
    readonly backendOutput: string,
  ) {
    super(
      `\n  expected: ${expected}\n  actual:   ${actual}\n\n` +
        `  transcript (kit = user function; backend → user function, user function → backend):\n${indent(transcript || "(no traffic)")}\n` +
        `\n  backend output (last lines):\n${indent(tail(backendOutput, 15))}\n`,
    );
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
