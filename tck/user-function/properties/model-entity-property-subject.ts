import fc from "fast-check";
import { describeActions, predictModelEntity } from "../../kit/subjects/model-entity-model.js";
import type { ModelAction, ModelEntitySubject, ModelResponse } from "../../kit/subjects/model-entity-subject.js";
import type { Mismatch, PropertySubject, ReplyMessage } from "./property-subject.js";

const action: fc.Arbitrary<ModelAction> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("a", "b", "c", "xy", "").map((emit) => ({ emit })) },
  { weight: 1, arbitrary: fc.constantFrom("refused", "no").map((fail) => ({ fail })) },
  { weight: 2, arbitrary: fc.constantFrom("ok", "hi").map((respond) => ({ respond })) },
  // G8 in sequences: a Failure or a stream the backend then recovers, either way the model's state holds.
  { weight: 1, arbitrary: fc.constant({ throw: "boom" }) },
);

export type ModelCommand = readonly ModelAction[];

/** The TCK model entity for the properties: its state is the concatenation of its events. */
export function modelEntityPropertySubject(subject: ModelEntitySubject): PropertySubject<string, ModelCommand> {
  const checkReply =
    (expected: { events: readonly string[]; stateAfter: string; message: string }) =>
    (reply: ReplyMessage): Mismatch | undefined => {
      const values: string[] = [];
      for (const event of reply.events) {
        const decoded = subject.decode<{ value: string }>("Appended", event);
        if (!decoded.ok) return { expected: "Appended events", actual: decoded.why };
        values.push(decoded.value.value);
      }
      if (JSON.stringify(values) !== JSON.stringify(expected.events)) {
        return { expected: `events ${JSON.stringify(expected.events)}`, actual: `events ${JSON.stringify(values)}` };
      }
      const response = subject.decode<ModelResponse>("Response", reply.payload);
      if (!response.ok) return { expected: "a Response payload", actual: response.why };
      if (response.value.state !== expected.stateAfter || response.value.message !== expected.message) {
        return {
          expected: `Response ${JSON.stringify({ state: expected.stateAfter, message: expected.message })}`,
          actual: `Response ${JSON.stringify({ state: response.value.state, message: response.value.message })}`,
        };
      }
      return undefined;
    };
  return {
    describePayload: subject.describe,
    initialState: "",
    command: fc.array(action, { maxLength: 4 }),
    describeCommand: (actions) => `Process ${describeActions(actions)}`,
    toWire: (entityId, actions) => ({ name: "Process", payload: subject.request(entityId, actions) }),
    predict(state, actions) {
      const prediction = predictModelEntity(state, actions);
      switch (prediction.kind) {
        case "reply":
          return { kind: "reply", stateAfter: prediction.stateAfter, check: checkReply(prediction) };
        case "failure":
          return { kind: "failure", stateAfter: state, description: prediction.description };
        case "throw":
          return { kind: "failure-or-end", stateAfter: state };
      }
    },
    stateQuery: [],
    readStateReply(reply) {
      const response = subject.decode<ModelResponse>("Response", reply.payload);
      return response.ok ? { ok: true, state: response.value.state } : { ok: false, why: response.why };
    },
    applyEvent(state, event) {
      const decoded = subject.decode<{ value: string }>("Appended", event);
      return decoded.ok ? { ok: true, state: state + decoded.value.value } : { ok: false, why: decoded.why };
    },
    snapshotOf: (state) => subject.state(state),
    decodeSnapshot(snapshot) {
      const decoded = subject.decode<{ value: string }>("State", snapshot);
      return decoded.ok ? { ok: true, state: decoded.value.value } : { ok: false, why: decoded.why };
    },
    sameState: (a, b) => a === b,
    describeState: (state) => JSON.stringify(state),
  };
}
