/**
 * A transcript as the kit's HTML report draws it: a sequence diagram, one row per entry, an arrow
 * from one party to another for a message, a note on a stream for anything else. Both modes
 * attach it to a failing scenario beside the text transcript (same entries, same order).
 */
export const sequenceMediaType = "text/x.tck.sequence+json";

export interface SequenceEntry {
  /** When, as the text transcript shows it (milliseconds into the scenario, or an ISO time). */
  readonly time: string;
  readonly stream: string;
  /** The sending party of a message; absent for a note. */
  readonly from?: string;
  readonly to?: string;
  readonly text: string;
}

export interface Sequence {
  /** The parties, left to right. */
  readonly parties: readonly string[];
  readonly entries: readonly SequenceEntry[];
  /** Entries left out at the start of a long transcript. */
  readonly omitted: number;
}
