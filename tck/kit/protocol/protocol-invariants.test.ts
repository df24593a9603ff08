import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AnyPayload, StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import { createProtocolInvariants, type InvariantViolation } from "./protocol-invariants.js";

const any = (name: string, ...bytes: number[]): AnyPayload => ({ typeUrl: `type.googleapis.com/${name}`, value: Uint8Array.from(bytes) });
const init = (entityId: string, snapshot?: { sequence: number; payload: AnyPayload }): StreamIn => ({ case: "init", entityId, snapshot });
const event = (sequence: number, payload = any("E", sequence)): StreamIn => ({ case: "event", sequence, payload });
const command = (id: number, entityId = "e1"): StreamIn => ({ case: "command", entityId, id, name: "Do", payload: any("Req") });
const reply = (commandId: number, events: AnyPayload[] = [], snapshot?: AnyPayload): StreamOut => ({
  case: "reply",
  commandId,
  payload: any("Resp"),
  events,
  snapshot,
});
const failure = (commandId: number): StreamOut => ({ case: "failure", commandId, description: "no" });

type Step = ["in", StreamIn] | ["out", StreamOut];

/** Feeds a transcript on one stream and returns the catalogue items that broke. */
function check(steps: Step[], invariants = createProtocolInvariants(), stream = "s1"): string[] {
  const found: InvariantViolation[] = [];
  for (const [direction, message] of steps) {
    found.push(
      ...(direction === "in" ? invariants.toUserFunction(stream, message as StreamIn) : invariants.toBackend(stream, message as StreamOut)),
    );
  }
  return found.map((v) => v.item);
}

describe("protocol invariants (M2)", () => {
  it("accept a well-behaved stream", () => {
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [any("E", 1), any("E", 2)])],
        ["in", command(2)],
        ["out", failure(2)],
        ["in", command(3)],
        ["out", reply(3, [any("E", 3)], any("S"))],
      ]),
      [],
    );
  });

  it("Init must come first, once", () => {
    assert.deepEqual(check([["in", command(1)]]), ["B1"]);
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", init("e1")],
      ]),
      ["B1"],
    );
  });

  it("replayed events are contiguous from the snapshot and come before commands", () => {
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", event(2)],
      ]),
      ["C4"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1", { sequence: 5, payload: any("S") })],
        ["in", event(6)],
        ["in", event(8)],
      ]),
      ["C4"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["in", event(1)],
      ]),
      ["C5"],
    );
  });

  it("command ids start at 1 and increase, one in flight, same entity", () => {
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(2)],
      ]),
      ["D1"],
    );
    // Increasing, not necessarily by one.
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1)],
        ["in", command(3)],
        ["out", reply(3)],
      ]),
      [],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1)],
        ["in", command(1)],
      ]),
      ["D1"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["in", command(2)],
      ]),
      ["D4"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1, "e2")],
      ]),
      ["B2"],
    );
  });

  it("answers correlate with the pending command, one each", () => {
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(7)],
      ]),
      ["D2"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["out", reply(1)],
      ]),
      ["D3"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", failure(0)],
      ]),
      ["D2"],
    );
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1)],
        ["out", reply(1)],
      ]),
      ["D3"],
    );
  });

  it("a snapshot rides only with events; empty oneofs are violations", () => {
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [], any("S"))],
      ]),
      ["F1"],
    );
    assert.deepEqual(check([["in", { case: undefined }]]), ["B5"]);
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["out", { case: undefined }],
      ]),
      ["B5"],
    );
  });

  it("a later stream must replay exactly the acknowledged history, without failed commands' events", () => {
    const invariants = createProtocolInvariants();
    check(
      [
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [any("E", 1), any("E", 2)])],
        ["in", command(2)],
        ["out", failure(2)],
      ],
      invariants,
      "s1",
    );
    invariants.streamEnded("s1");
    // Exact replay: fine.
    assert.deepEqual(
      check(
        [
          ["in", init("e1")],
          ["in", event(1, any("E", 1))],
          ["in", event(2, any("E", 2))],
          ["in", command(1)],
        ],
        invariants,
        "s2",
      ),
      [],
    );
    invariants.streamEnded("s2");
    // A changed event, and a replay that stops short.
    assert.deepEqual(
      check(
        [
          ["in", init("e1")],
          ["in", event(1, any("E", 9))],
          ["in", command(1)],
        ],
        invariants,
        "s3",
      ),
      ["E6", "C4"],
    );
  });

  it("events count as persisted only once the backend moves on: a failed write is no violation", () => {
    const invariants = createProtocolInvariants();
    // Reply to 2 with an event, then the stream is torn down (the write failed): event 3 never persisted.
    check(
      [
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [any("E", 1)])],
        ["in", command(2)],
        ["out", reply(2, [any("E", 2)])],
      ],
      invariants,
      "s1",
    );
    invariants.streamEnded("s1");
    assert.deepEqual(
      check(
        [
          ["in", init("e1")],
          ["in", event(1, any("E", 1))],
          ["in", command(1)],
        ],
        invariants,
        "s2",
      ),
      [],
    );
    invariants.streamEnded("s2");
    // Confirmed by the next command: a replay that stops short of it is a violation.
    assert.deepEqual(
      check(
        [
          ["in", init("e1")],
          ["in", command(1)],
        ],
        invariants,
        "s3",
      ),
      ["C4"],
    );
    // Confirmed by the backend completing the stream (passivation).
    const other = createProtocolInvariants();
    check(
      [
        ["in", init("e2", undefined)],
        ["in", command(1, "e2")],
        ["out", reply(1, [any("E", 1)], any("S"))],
      ],
      other,
      "s1",
    );
    other.backendClosed("s1");
    other.streamEnded("s1");
    assert.deepEqual(
      check(
        [
          ["in", init("e2", { sequence: 1, payload: any("S", 9) })],
          ["in", command(1, "e2")],
        ],
        other,
        "s2",
      ),
      ["F4"],
    );
  });

  it("a half-close confirms the last Reply only if the stream then ends without a cancel", () => {
    // The backend half-closes, then cancels (its write failed after all): event 2 is not persisted.
    const invariants = createProtocolInvariants();
    check(
      [
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [any("E", 1)])],
        ["in", command(2)],
        ["out", reply(2, [any("E", 2)])],
      ],
      invariants,
      "s1",
    );
    invariants.backendClosed("s1");
    invariants.streamEnded("s1", "cancelled");
    assert.deepEqual(
      check(
        [
          ["in", init("e1")],
          ["in", event(1, any("E", 1))],
          ["in", command(1)],
        ],
        invariants,
        "s2",
      ),
      [],
    );
    // The same stream ending normally after the half-close: event 2 is persisted, a replay must include it.
    const other = createProtocolInvariants();
    check(
      [
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [any("E", 1)])],
        ["in", command(2)],
        ["out", reply(2, [any("E", 2)])],
      ],
      other,
      "s1",
    );
    other.backendClosed("s1");
    other.streamEnded("s1", "completed");
    assert.deepEqual(
      check(
        [
          ["in", init("e1")],
          ["in", event(1, any("E", 1))],
          ["in", command(1)],
        ],
        other,
        "s2",
      ),
      ["C4"],
    );
  });

  it("E6 and F4 name the sequence number and show both payloads decoded, with a hex prefix", () => {
    // ItemAdded{item: {productId: "456", name: "Flour", quantity: 1}} and the same with quantity 2.
    const flour = (quantity: number) =>
      any("ItemAdded", 0x0a, 0x0e, 0x0a, 0x03, 0x34, 0x35, 0x36, 0x12, 0x05, 0x46, 0x6c, 0x6f, 0x75, 0x72, 0x18, quantity);
    const invariants = createProtocolInvariants();
    const found: InvariantViolation[] = [];
    const feed = (stream: string, steps: Step[]) => {
      for (const [direction, message] of steps) {
        found.push(
          ...(direction === "in"
            ? invariants.toUserFunction(stream, message as StreamIn)
            : invariants.toBackend(stream, message as StreamOut)),
        );
      }
    };
    feed("s1", [
      ["in", init("e1")],
      ["in", command(1)],
      ["out", reply(1, [flour(1), flour(1), flour(1)], any("Cart", 0x08, 0x03))],
      ["in", command(2)],
    ]);
    invariants.streamEnded("s1");
    feed("s2", [["in", init("e1", { sequence: 3, payload: any("Cart", 0x08, 0x04) })]]);
    invariants.streamEnded("s2");
    feed("s3", [
      ["in", init("e1")],
      ["in", event(1, flour(1))],
      ["in", event(2, flour(1))],
      ["in", event(3, flour(2))],
    ]);
    const [f4, e6] = found;
    assert.equal(found.length, 2, JSON.stringify(found));
    assert.equal(f4?.item, "F4");
    assert.equal(f4.expected, "the snapshot acknowledged at sequence 3: type.googleapis.com/Cart {1: 3} (2 bytes: 0803)");
    assert.equal(f4.actual, "Init offers at sequence 3: type.googleapis.com/Cart {1: 4} (2 bytes: 0804); the bytes differ from byte 1");
    assert.equal(e6?.item, "E6");
    assert.equal(
      e6.expected,
      'Event 3 as acknowledged: type.googleapis.com/ItemAdded {1: {1: "456", 2: "Flour", 3: 1}} (16 bytes: 0a0e0a033435361205466c6f75721801)',
    );
    assert.equal(
      e6.actual,
      'Event 3 replayed: type.googleapis.com/ItemAdded {1: {1: "456", 2: "Flour", 3: 2}} (16 bytes: 0a0e0a033435361205466c6f75721802); the bytes differ from byte 15',
    );
  });

  it("a payload that is no protobuf message is shown as hex; a long one is cut", () => {
    const invariants = createProtocolInvariants();
    const long = any("Blob", ...Array.from({ length: 40 }, () => 0xff));
    check(
      [
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [long])],
        ["in", command(2)],
      ],
      invariants,
      "s1",
    );
    invariants.streamEnded("s1");
    const found = invariants.toUserFunction("s2", init("e1")).concat(invariants.toUserFunction("s2", event(1, any("Blob", 0xff))));
    assert.equal(found[0]?.expected, `Event 1 as acknowledged: type.googleapis.com/Blob (40 bytes: ${"ff".repeat(16)}…)`);
    assert.equal(
      found[0]?.actual,
      "Event 1 replayed: type.googleapis.com/Blob (1 bytes: ff); one is a prefix of the other (40 vs 1 bytes)",
    );
  });

  it("a long decoded payload is cut, so a message stays readable", () => {
    const invariants = createProtocolInvariants();
    // 200 varint fields: {1: 1, 1: 1, …}.
    const many = any("Many", ...Array.from({ length: 200 }, () => [0x08, 0x01]).flat());
    check(
      [
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [many])],
        ["in", command(2)],
      ],
      invariants,
      "s1",
    );
    invariants.streamEnded("s1");
    const [e6] = invariants.toUserFunction("s2", init("e1")).concat(invariants.toUserFunction("s2", event(1, any("Many", 0x08, 0x02))));
    assert.match(e6!.expected, /^Event 1 as acknowledged: type\.googleapis\.com\/Many \{1: 1, 1: 1, .{200,}… \(400 bytes: (0801){8}…\)$/);
    assert.ok(e6!.expected.length < 400, `cut: ${e6!.expected.length} characters`);
  });

  it("every violation names the side at fault and its cause: the backend for what it sent, the user function for what it answered", () => {
    const invariants = createProtocolInvariants();
    const [d4] = invariants
      .toUserFunction("s1", init("e1"))
      .concat(invariants.toUserFunction("s1", command(1)), invariants.toUserFunction("s1", command(2)));
    assert.deepEqual([d4?.side, d4?.item, d4?.cause], ["backend", "D4", "sent Command 2 while Command 1 was unanswered"]);
    const [d2] = invariants.toBackend("s1", reply(7));
    assert.deepEqual([d2?.side, d2?.item, d2?.cause], ["user function", "D2", "answered Command 1 with id 7"]);
  });

  describe("F4 with latestSnapshotOffers (intercept mode): Init offers the latest acknowledged snapshot, at an acknowledged sequence", () => {
    /** e1's first stream: three replies of one event each, snapshots at 2 and 3; the last confirmed by a fourth command. */
    const history = () => {
      const invariants = createProtocolInvariants({ latestSnapshotOffers: true });
      const found = check(
        [
          ["in", init("e1")],
          ["in", command(1)],
          ["out", reply(1, [any("E", 1)])],
          ["in", command(2)],
          ["out", reply(2, [any("E", 2)], any("S", 2))],
          ["in", command(3)],
          ["out", reply(3, [any("E", 3)], any("S", 3))],
          ["in", command(4)],
          ["out", reply(4)],
        ],
        invariants,
        "s1",
      );
      assert.deepEqual(found, []);
      invariants.backendClosed("s1");
      invariants.streamEnded("s1");
      return invariants;
    };
    const offer = (sequence: number, ...bytes: number[]) => init("e1", { sequence, payload: any("S", ...bytes) });

    it("the latest snapshot, then the later events: fine", () => {
      assert.deepEqual(
        check(
          [
            ["in", offer(3, 3)],
            ["in", command(1)],
          ],
          history(),
          "s2",
        ),
        [],
      );
    });

    it("an older snapshot, or none, is a stale offer", () => {
      const invariants = history();
      const found: InvariantViolation[] = invariants.toUserFunction("s2", offer(2, 2));
      assert.deepEqual(
        found.map((v) => [v.side, v.item, v.rule]),
        [["backend", "F4", "Init offers the latest acknowledged snapshot"]],
      );
      assert.equal(found[0]!.cause, "offered a stale snapshot (sequence 2) though one was acknowledged at sequence 3");
      assert.match(found[0]!.actual, /snapshots acknowledged at: 2, 3/);
      assert.deepEqual(check([["in", init("e1")]], history(), "s2"), ["F4"]);
    });

    it("a snapshot at a sequence where none was acknowledged is reported once (not also as stale)", () => {
      const found = history().toUserFunction("s2", offer(1, 3));
      assert.deepEqual(
        found.map((v) => v.rule),
        ["a snapshot is offered at a sequence at which one was acknowledged"],
      );
      assert.equal(found[0]!.cause, "offered a snapshot at sequence 1, where no snapshot was acknowledged");
    });

    it("a snapshot whose write is uncertain (its stream was cancelled) may be offered, and need not be", () => {
      const make = () => {
        const invariants = history();
        check(
          [
            ["in", offer(3, 3)],
            ["in", command(1)],
            ["out", reply(1, [any("E", 4)], any("S", 4))],
          ],
          invariants,
          "s2",
        );
        invariants.streamEnded("s2", "cancelled");
        return invariants;
      };
      assert.deepEqual(check([["in", offer(4, 4)]], make(), "s3"), []);
      assert.deepEqual(check([["in", offer(3, 3)]], make(), "s3"), []);
      // Once offered, it counts as acknowledged.
      const invariants = make();
      check(
        [
          ["in", offer(4, 4)],
          ["in", event(5)],
        ],
        invariants,
        "s3",
      );
      invariants.streamEnded("s3", "cancelled");
      assert.deepEqual(check([["in", offer(3, 3)]], invariants, "s4"), ["F4"]);
    });

    it("the snapshot of a stream that half-closed but has not ended yet may be offered (the backend moved on first)", () => {
      const invariants = history();
      check(
        [
          ["in", offer(3, 3)],
          ["in", command(1)],
          ["out", reply(1, [any("E", 4)], any("S", 4))],
        ],
        invariants,
        "s2",
      );
      invariants.backendClosed("s2");
      assert.deepEqual(check([["in", offer(4, 4)]], invariants, "s3"), []);
    });

    it("the first Init seen for an entity sets what is known (the interceptor may have started late)", () => {
      const invariants = createProtocolInvariants({ latestSnapshotOffers: true });
      assert.deepEqual(
        check(
          [
            ["in", init("e9", { sequence: 7, payload: any("S", 7) })],
            ["in", event(8)],
          ],
          invariants,
          "s1",
        ),
        [],
      );
      invariants.backendClosed("s1");
      invariants.streamEnded("s1");
      assert.deepEqual(check([["in", init("e9", { sequence: 7, payload: any("S", 7) })]], invariants, "s2"), []);
    });

    it("is off by default (user-function and backend mode offer and lose snapshots on purpose)", () => {
      const invariants = createProtocolInvariants();
      check(
        [
          ["in", init("e1")],
          ["in", command(1)],
          ["out", reply(1, [any("E", 1)], any("S", 1))],
          ["in", command(2)],
        ],
        invariants,
        "s1",
      );
      invariants.streamEnded("s1");
      assert.deepEqual(
        check(
          [
            ["in", init("e1")],
            ["in", event(1)],
          ],
          invariants,
          "s2",
        ),
        [],
      );
    });
  });

  it("two live streams for one entity are a violation; a half-closed one is not live", () => {
    const invariants = createProtocolInvariants();
    check([["in", init("e1")]], invariants, "s1");
    assert.deepEqual(check([["in", init("e1")]], invariants, "s2"), ["I4"]);
    const other = createProtocolInvariants();
    check([["in", init("e1")]], other, "s1");
    other.backendClosed("s1");
    assert.deepEqual(check([["in", init("e1")]], other, "s2"), []);
  });
});
