import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEventSourcedEntity, createEntitySession, type ProtoObject } from "./index.js";
import { createAppendEntity, modelPackage } from "./testdata/append-entity.js";
import {
  appended,
  command,
  emptyReply,
  event,
  failure,
  init,
  reply,
  request,
  stateSnapshot,
  transcript,
  asFailure,
  asReply,
} from "./testdata/transcript.js";

const entity = createAppendEntity(5);
const session = () => createEntitySession(entity);

describe("entity session: stream lifecycle", () => {
  it("answers nothing to Init and Event, and starts from the initial state (B6, B7)", async () => {
    assert.deepEqual(await transcript(session(), [init(), command(1, [])]), [reply(1, "")]);
    assert.deepEqual(await transcript(session(), [init(), event(1, "a")]), []);
  });

  it("ends the stream on a second Init (B3)", async () => {
    const out = await transcript(session(), [init(), command(1, [{ emit: "a" }]), init()]);
    assert.deepEqual(out, [reply(1, "a", ["a"]), { violation: "failed-precondition", message: "a second Init on the same stream" }]);
  });

  it("ends the stream on an Event or a Command before Init (B4)", async () => {
    assert.deepEqual(await transcript(session(), [event(1, "a")]), [{ violation: "failed-precondition", message: "an Event before Init" }]);
    assert.deepEqual(await transcript(session(), [command(1, [])]), [
      { violation: "failed-precondition", message: "a Command before Init" },
    ]);
  });

  it("ends the stream on a Command for another entity than Init's (B8)", async () => {
    const out = await transcript(session(), [init("e1"), command(1, [{ emit: "a" }], "Process", "e2")]);
    assert.deepEqual(out, [{ violation: "failed-precondition", message: 'a Command for entity "e2" on the stream of "e1"' }]);
  });

  it("ends the stream on a command id that does not increase (B8)", async () => {
    const repeated = await transcript(session(), [init(), command(1, [{ emit: "a" }]), command(1, [{ emit: "b" }])]);
    assert.deepEqual(repeated, [
      reply(1, "a", ["a"]),
      { violation: "failed-precondition", message: "command id 1 does not increase (the previous command was 1)" },
    ]);
    const backwards = await transcript(session(), [init(), command(2, []), command(1, [])]);
    assert.deepEqual(backwards, [
      reply(2, ""),
      { violation: "failed-precondition", message: "command id 1 does not increase (the previous command was 2)" },
    ]);
  });

  it("ends the stream on a message with no case set (B5)", async () => {
    const out = await transcript(session(), [init(), { case: undefined }]);
    assert.equal(out.length, 1);
    assert.ok(out[0] && "violation" in out[0] && out[0].violation === "invalid-argument");
  });

  it("stays ended after a violation, whatever arrives next", async () => {
    const s = session();
    await transcript(s, [init(), init()]);
    const step = await s.receive(command(1, []));
    assert.equal(step.kind, "violation");
  });

  it("keeps no state between streams of the same entity (H4, I1)", async () => {
    const first = session();
    assert.deepEqual(await transcript(first, [init("e1"), command(1, [{ emit: "a" }])]), [reply(1, "a", ["a"])]);
    const second = session();
    assert.deepEqual(await transcript(second, [init("e1"), command(1, [])]), [reply(1, "")]);
    // And the first stream still has its own state.
    assert.deepEqual(await transcript(first, [command(2, [])]), [reply(2, "a")]);
  });
});

describe("entity session: replay", () => {
  it("sets the state from the Init snapshot (C1)", async () => {
    assert.deepEqual(await transcript(session(), [init("e1", { sequence: 3, state: "abc" }), command(1, [])]), [reply(1, "abc")]);
  });

  it("applies the events after a snapshot (C2) and without one (C3)", async () => {
    const afterSnapshot = [init("e1", { sequence: 3, state: "abc" }), event(4, "d"), event(5, "e"), command(1, [])];
    assert.deepEqual(await transcript(session(), afterSnapshot), [reply(1, "abcde")]);
    const fold = [init(), event(1, "x"), event(2, "y"), event(3, "z"), command(1, [])];
    assert.deepEqual(await transcript(session(), fold), [reply(1, "xyz")]);
  });

  it("ends the stream on an event type the protos do not define (C8)", async () => {
    const unknown = { case: "event" as const, sequence: 1, payload: { typeUrl: "type.googleapis.com/no.Such", value: new Uint8Array() } };
    const out = await transcript(session(), [init(), unknown]);
    assert.deepEqual(out, [
      { violation: "invalid-argument", message: "cannot replay event 1: event type no.Such is not defined in the entity's protos" },
    ]);
  });

  it("ends the stream on a defined event type without a handler (C8)", async () => {
    const state = { case: "event" as const, sequence: 1, payload: stateSnapshot("x") };
    const [out] = await transcript(session(), [init(), state]);
    assert.ok(out && "violation" in out);
    assert.equal(out.violation, "invalid-argument");
    assert.match(out.message, /^cannot replay event 1: no event handler for lightbend\.serverless\.tck\.model\.State/);
  });

  it("ends the stream on events that are not contiguous, or arrive after commands", async () => {
    const gap = await transcript(session(), [init("e1", { sequence: 3, state: "abc" }), event(5, "e")]);
    assert.deepEqual(gap, [{ violation: "invalid-argument", message: "Event sequence 5 does not follow 3" }]);
    const late = await transcript(session(), [init(), command(1, []), event(1, "a")]);
    assert.deepEqual(late, [reply(1, ""), { violation: "failed-precondition", message: "an Event after the first Command" }]);
  });

  it("ends the stream on an undecodable snapshot or event", async () => {
    const badBytes = { typeUrl: `type.googleapis.com/${modelPackage}.State`, value: Uint8Array.from([0x0a, 0x05, 0x61]) };
    const [snap] = await transcript(session(), [{ case: "init", entityId: "e1", snapshot: { sequence: 1, payload: badBytes } }]);
    assert.ok(snap && "violation" in snap && snap.violation === "invalid-argument");
    const wrongType = { case: "init" as const, entityId: "e1", snapshot: { sequence: 1, payload: appended("a") } };
    const [typed] = await transcript(session(), [wrongType]);
    assert.ok(typed && "violation" in typed);
    assert.match(typed.message, /snapshot of type lightbend\.serverless\.tck\.model\.Appended, expected .*\.State/);
  });

  it("replays 10,000 events (C9)", async () => {
    const inbound = [init(), ...Array.from({ length: 10_000 }, (_, i) => event(i + 1, "x")), command(1, [])];
    const out = await transcript(session(), inbound);
    assert.deepEqual(out, [reply(1, "x".repeat(10_000))]);
  });
});

describe("entity session: commands", () => {
  it("answers each command with its id, in order, also when handlers are async (D2, D3)", async () => {
    const s = session();
    await s.receive(init());
    // Not awaited one by one: the session must still answer in command order.
    const steps = await Promise.all([
      s.receive(command(1, [{ respond: "slow" }, { emit: "a" }])),
      s.receive(command(2, [{ emit: "b" }])),
      s.receive(command(3, [{ respond: "slow" }, { emit: "c" }])),
    ]);
    assert.deepEqual(
      steps.map((step) => (step.kind === "continue" ? step.send : step)),
      [[reply(1, "a", ["a"], { message: "slow" })], [reply(2, "ab", ["b"])], [reply(3, "abc", ["c"], { message: "slow" })]],
    );
  });

  it("fails an unknown command name and keeps the stream usable (D6)", async () => {
    const out = await transcript(session(), [init(), command(1, [], "NoSuchMethod"), command(2, [{ emit: "a" }])]);
    assert.deepEqual(out, [failure(1, `Unknown command NoSuchMethod for ${modelPackage}.ModelEntity`), reply(2, "a", ["a"])]);
  });

  it("fails an undecodable payload or one of the wrong type and keeps the stream usable (D7)", async () => {
    const garbage = {
      case: "command" as const,
      entityId: "e1",
      id: 1,
      name: "Process",
      payload: { typeUrl: `type.googleapis.com/${modelPackage}.Request`, value: Uint8Array.from([0x12, 0x09, 0x0a]) },
    };
    const wrongType = { ...garbage, id: 2, payload: appended("a") };
    const out = await transcript(session(), [init(), garbage, wrongType, command(3, [])]);
    assert.equal(out.length, 3);
    assert.equal(asFailure(out[0]).commandId, 1);
    assert.match(asFailure(out[0]).description, /^Cannot decode the Process payload as lightbend\.serverless\.tck\.model\.Request/);
    assert.equal(asFailure(out[1]).commandId, 2);
    assert.match(asFailure(out[1]).description, /payload of type lightbend\.serverless\.tck\.model\.Appended, expected .*\.Request/);
    assert.deepEqual(out[2], reply(3, ""));
  });

  it("replies with the method's output type, Empty included (D10, D11)", async () => {
    const out = await transcript(session(), [init(), command(1, [{ emit: "a" }], "ProcessEmpty")]);
    assert.deepEqual(out, [{ case: "reply", commandId: 1, payload: emptyReply, events: [appended("a")], snapshot: undefined }]);
  });

  it("applies emitted events in order, visible to the command and the next one (E4, E5)", async () => {
    const out = await transcript(session(), [init(), command(1, [{ emit: "a" }, { emit: "b" }]), command(2, [{ emit: "c" }])]);
    assert.deepEqual(out, [reply(1, "ab", ["a", "b"]), reply(2, "abc", ["c"])]);
  });

  it("discards a failed command's events and keeps the state (G2, G3)", async () => {
    const out = await transcript(session(), [
      init(),
      command(1, [{ emit: "a" }]),
      command(2, [{ emit: "b" }, { fail: "no thanks" }, { emit: "c" }]),
      command(3, []),
    ]);
    assert.deepEqual(out, [reply(1, "a", ["a"]), failure(2, "no thanks"), reply(3, "a")]);
  });

  it("stays healthy after many failures in a row (G4)", async () => {
    const failures = Array.from({ length: 50 }, (_, i) => command(i + 1, [{ emit: "x" }, { fail: `f${i}` }]));
    const out = await transcript(session(), [init(), ...failures, command(51, [{ emit: "y" }])]);
    assert.deepEqual(out, [...failures.map((_, i) => failure(i + 1, `f${i}`)), reply(51, "y", ["y"])]);
  });

  it("turns a throwing handler into a Failure and keeps the stream usable (G8)", async () => {
    const out = await transcript(session(), [init(), command(1, [{ emit: "a" }, { throw: "boom" }]), command(2, [])]);
    assert.deepEqual(out, [failure(1, "Process failed: boom"), reply(2, "")]);
  });
});

describe("entity session: snapshots", () => {
  it("sends a snapshot when an event reaches a multiple of N, counting from the Init snapshot (F3, C7)", async () => {
    const out = await transcript(session(), [
      init("e1", { sequence: 3, state: "abc" }),
      event(4, "d"),
      command(1, [{ emit: "e" }]), // sequence 5
      command(2, [{ emit: "f" }]), // 6
    ]);
    assert.deepEqual(out, [reply(1, "abcde", ["e"], { snapshot: "abcde" }), reply(2, "abcdef", ["f"])]);
  });

  it("sends the state after all events when a multi-event reply crosses a multiple (F2, F3)", async () => {
    const out = await transcript(session(), [
      init(),
      event(1, "a"),
      event(2, "b"),
      event(3, "c"),
      command(1, [{ emit: "d" }, { emit: "e" }, { emit: "f" }]), // 4, 5, 6
      command(2, [{ emit: "g" }, { emit: "h" }, { emit: "i" }]), // 7, 8, 9
      command(3, [{ emit: "j" }]), // 10
    ]);
    assert.deepEqual(out, [
      reply(1, "abcdef", ["d", "e", "f"], { snapshot: "abcdef" }),
      reply(2, "abcdefghi", ["g", "h", "i"]),
      reply(3, "abcdefghij", ["j"], { snapshot: "abcdefghij" }),
    ]);
  });

  it("never sends a snapshot without events, nor for a failed command (F1)", async () => {
    const out = await transcript(session(), [
      init("e1", { sequence: 4, state: "abcd" }),
      command(1, [{ emit: "e" }, { fail: "no" }]), // would have been 5
      command(2, []),
      command(3, [{ emit: "e" }]), // 5
      command(4, []),
    ]);
    assert.deepEqual(out, [failure(1, "no"), reply(2, "abcd"), reply(3, "abcde", ["e"], { snapshot: "abcde" }), reply(4, "abcde")]);
  });

  it("never snapshots when snapshotEvery is 0", async () => {
    const s = createEntitySession(createAppendEntity(0));
    const out = await transcript(s, [init(), command(1, [{ emit: "a" }, { emit: "b" }, { emit: "c" }, { emit: "d" }, { emit: "e" }])]);
    assert.deepEqual(out, [reply(1, "abcde", ["a", "b", "c", "d", "e"])]);
  });
});

describe("entity session: user code", () => {
  interface Items {
    items: ProtoObject[];
  }
  // An entity whose event handler mutates the state in place, as the seed's cart did.
  const mutating = createEventSourcedEntity<Items>({
    protoFiles: ["tck/model.proto", "shoppingcart/domain.proto"],
    serviceName: `${modelPackage}.ModelEntity`,
    persistenceId: "mutating-test",
    snapshot: { type: "com.example.shoppingcart.persistence.Cart" },
    initialState: () => ({ items: [] }),
    behavior: () => ({
      commandHandlers: {
        Process(command: ProtoObject, _state: Items, context) {
          for (const action of command["actions"] as ProtoObject[]) {
            if (action["action"] === "emit") context.emit("ItemAdded", { item: { productId: action["emit"].value, quantity: 1 } });
            if (action["action"] === "fail") context.fail(action["fail"].description);
          }
          return { state: context.state.items.map((item) => item["productId"]).join(""), message: "" };
        },
        ProcessEmpty: () => ({ not_a_field_of_empty: { nested: true } }),
        ProcessComposite: (_command: ProtoObject, _state: Items, context) => context.emit("Cart", { items: "not a list" }),
      },
      eventHandlers: {
        "com.example.shoppingcart.persistence.ItemAdded": (event: ProtoObject, state: Items) => {
          state.items.push(event["item"]);
        },
      },
    }),
  });

  it("leaves the state untouched by a failed command even if event handlers mutate it (G2)", async () => {
    const out = await transcript(createEntitySession(mutating), [
      init(),
      command(1, [{ emit: "a" }]),
      command(2, [{ emit: "b" }, { fail: "no" }]),
      command(3, []),
    ]);
    assert.equal(out.length, 3);
    assert.deepEqual(out[1], failure(2, "no"));
    assert.deepEqual(out[2], reply(3, "a"));
  });

  it("fails a command whose reply or emitted event does not fit its type", async () => {
    const out = await transcript(createEntitySession(mutating), [
      init(),
      command(1, [], "ProcessEmpty"),
      {
        case: "command",
        entityId: "e1",
        id: 2,
        name: "ProcessComposite",
        payload: { typeUrl: `type.googleapis.com/${modelPackage}.CompositeRequest`, value: new Uint8Array() },
      },
      command(3, [{ emit: "a" }]),
    ]);
    assert.equal(out.length, 3);
    assert.deepEqual(out[0], { case: "reply", commandId: 1, payload: emptyReply, events: [], snapshot: undefined });
    assert.match(asFailure(out[1]).description, /^ProcessComposite failed: .*Cart\.items: array expected/);
    const third = asReply(out[2]);
    assert.deepEqual(third.payload, asReply(reply(3, "a")).payload);
    assert.deepEqual(
      third.events.map((e) => e.typeUrl),
      ["type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded"],
    );
  });

  it("fails a command that emits an unknown, ambiguous or unhandled event type", async () => {
    const emitting = createEventSourcedEntity<string>({
      protoFiles: ["tck/model.proto", "shoppingcart/shoppingcart.proto", "shoppingcart/domain.proto"],
      serviceName: `${modelPackage}.ModelEntity`,
      persistenceId: "emitting",
      snapshot: { type: `${modelPackage}.State`, toMessage: (value) => ({ value }), fromMessage: (m) => String(m["value"]) },
      initialState: () => "",
      behavior: () => ({
        commandHandlers: {
          Process: (_c: ProtoObject, _s: string, context) => context.emit("NoSuchEvent", {}),
          ProcessEmpty: (_c: ProtoObject, _s: string, context) => context.emit("LineItem", {}),
          ProcessStream: (_c: ProtoObject, _s: string, context) => context.emit(`${modelPackage}.Emit`, { value: "x" }),
          ProcessComposite: (_c: ProtoObject, _s: string, context) => context.emit("Appended", { value: "x" }),
        },
        eventHandlers: {
          Appended: () => {
            throw new Error("handler bug");
          },
        },
      }),
    });
    const composite = { typeUrl: `type.googleapis.com/${modelPackage}.CompositeRequest`, value: new Uint8Array() };
    const out = await transcript(createEntitySession(emitting), [
      init(),
      command(1, []),
      command(2, [], "ProcessEmpty"),
      command(3, [], "ProcessStream"),
      { case: "command", entityId: "e1", id: 4, name: "ProcessComposite", payload: composite },
    ]);
    assert.deepEqual(out, [
      failure(1, "Process failed: message type NoSuchEvent is not defined in the entity's protos"),
      failure(
        2,
        "ProcessEmpty failed: message type LineItem is ambiguous (com.example.shoppingcart.LineItem, com.example.shoppingcart.persistence.LineItem); use its full name",
      ),
      failure(3, `ProcessStream failed: no event handler for ${modelPackage}.Emit in the entity's current behavior`),
      failure(4, "ProcessComposite failed: handler bug"),
    ]);
    // During replay the same throwing event handler means the entity cannot continue.
    const [replayed] = await transcript(createEntitySession(emitting), [init(), event(1, "a")]);
    assert.deepEqual(replayed, { violation: "internal", message: "entity e1 cannot continue: handler bug" });
  });

  it("decodes the command as its input type before the handler sees it", async () => {
    let seen: ProtoObject | undefined;
    const probe = createEventSourcedEntity<string>({
      protoFiles: ["tck/model.proto"],
      serviceName: `${modelPackage}.ModelEntity`,
      persistenceId: "probe",
      snapshot: { type: `${modelPackage}.State`, toMessage: (value) => ({ value }), fromMessage: (m) => String(m["value"]) },
      initialState: () => "",
      behavior: () => ({ commandHandlers: { Process: (c: ProtoObject) => void (seen = c) }, eventHandlers: {} }),
    });
    await transcript(createEntitySession(probe), [
      init(),
      { case: "command", entityId: "e1", id: 1, name: "Process", payload: request([{ emit: "v" }, { respond: "m" }], "key-1") },
    ]);
    assert.deepEqual(seen, {
      id: "key-1",
      actions: [
        { emit: { value: "v" }, action: "emit" },
        { respond: { message: "m" }, action: "respond" },
      ],
    });
  });
});

describe("entity session: receiveNow, the path replay takes", () => {
  it("processes Init and Events at once, to the same state receive reaches", async () => {
    const s = session();
    assert.deepEqual(s.receiveNow(init()), { kind: "continue", send: [] });
    for (let sequence = 1; sequence <= 3; sequence++) assert.deepEqual(s.receiveNow(event(sequence, "x")), { kind: "continue", send: [] });
    const now = await s.receive(command(1, [{ emit: "a" }]));
    const queued = session();
    for (const message of [init(), event(1, "x"), event(2, "x"), event(3, "x")]) await queued.receive(message);
    assert.deepEqual(now, await queued.receive(command(1, [{ emit: "a" }])));
  });

  it("reports a violation at once, as receive would", () => {
    const s = session();
    const first = s.receiveNow(event(1, "a"));
    assert.ok(first?.kind === "violation" && first.violation.message === "an Event before Init");
    // ... and stays ended, whatever arrives next.
    assert.deepEqual(s.receiveNow(init()), first);
  });

  it("leaves a Command, and anything while an earlier message is still being processed, to receive", async () => {
    const s = session();
    s.receiveNow(init());
    assert.equal(s.receiveNow(command(1, [])), undefined);
    const slow = s.receive(command(1, [{ respond: "slow" }]));
    // The command is still running: an Event now would overtake it.
    assert.equal(s.receiveNow(event(1, "a")), undefined);
    await slow;
    const step = s.receiveNow(event(1, "a"));
    assert.ok(step?.kind === "violation" && step.violation.message === "an Event after the first Command");
  });
});
