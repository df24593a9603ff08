import { abbreviate } from "../../kit/transcript/transcript.js";

/**
 * A behaviour the user function under test got wrong. The message is the kit's
 * user interface: what was expected, what happened, and the wire transcript.
 */
export class ExpectationFailure extends Error {
  override readonly name = "ExpectationFailure";

  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly transcript: string,
  ) {
    super(
      `\n  expected: ${abbreviate(expected, 600)}\n  actual:   ${abbreviate(actual, 600)}\n\n  transcript (kit = backend, → sent, ← received):\n${indent(transcript)}\n`,
    );
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
