import { Then, When } from "@cucumber/cucumber";
import { parseModelActions } from "../../kit/subjects/parse-model-actions.js";
import type { BackendWorld, CallRecord } from "../world/backend-world.js";
import type { CompositeCall } from "../world/step-memory.js";

const kinds = { KIND_UNSPECIFIED: 0, KIND_ONE: 1, KIND_TWO: 2 } as const;
const escapePart = (part: string) => part.replace(/\\/g, "\\\\").replace(/-/g, "\\-");

When(
  /^the client processes (.+) through ProcessComposite with key "([^"]*)", (-?\d+), (true|false), (KIND_UNSPECIFIED|KIND_ONE|KIND_TWO)$/,
  async function (this: BackendWorld, actionsText: string, partA: string, partB: string, partC: string, partD: keyof typeof kinds) {
    const actions = parseModelActions(actionsText);
    const key = { partA: `${partA}_${this.parameters.runId}`, partB: Number(partB), partC: partC === "true", partD: kinds[partD] };
    await compositeCall(this, key.partA, `(${JSON.stringify(partA)}, ${partB}, ${partC}, ${partD}) written out`, () =>
      this.processComposite(key, actions),
    );
  },
);

When(
  /^the client processes (.+) through ProcessComposite with key "([^"]*)" and the other key fields absent$/,
  async function (this: BackendWorld, actionsText: string, partA: string) {
    const actions = parseModelActions(actionsText);
    const full = `${partA}_${this.parameters.runId}`;
    await compositeCall(this, full, `(${JSON.stringify(partA)}) with the number, bool and enum key fields absent`, () =>
      this.processCompositeWithDefaultsAbsent(full, actions),
    );
  },
);

async function compositeCall(world: BackendWorld, partA: string, form: string, call: () => Promise<CallRecord>): Promise<void> {
  const before = world.uf.traffic.streams.length;
  const record = await call();
  // The entity id is the backend's join: learn it from the traffic, for the transcript and the invariant checks.
  for (const stream of world.uf.traffic.streams.slice(before))
    if (stream.entityId?.startsWith(escapePart(partA))) world.touched.add(stream.entityId);
  const stream = [...world.uf.traffic.streams]
    .reverse()
    .find((s) =>
      s.received.some(
        (m) => m.case === "command" && m.payload !== undefined && Buffer.from(m.payload.value).equals(Buffer.from(record.request)),
      ),
    );
  const calls = world.remembered.compositeCalls ?? [];
  world.remembered.compositeCalls = [...calls, { form, entityId: stream?.entityId }];
  world.remembered.compositePartA = partA;
}

// docs/protocol.md: a number, bool or enum key that is absent is its default value; proto3 cannot tell the two apart.
Then("both forms of the key reached the same entity, and the reply state is {string}", function (this: BackendWorld, state: string) {
  const calls = this.remembered.compositeCalls ?? [];
  if (calls.length < 2) throw new Error("needs two ProcessComposite calls before it");
  const [first, second] = calls.slice(-2) as [CompositeCall, CompositeCall];
  const where = (c: CompositeCall) =>
    `key ${c.form} reached entity ${c.entityId === undefined ? "(no Command seen)" : JSON.stringify(c.entityId)}`;
  const expected = `key ${second.form} to reach the same entity as key ${first.form} (an absent number, bool or enum key is its default), reply state ${JSON.stringify(state)}`;
  if (first.entityId !== second.entityId) this.fail(expected, `the backend told them apart: ${where(first)}, ${where(second)}`);
  const actual = this.lastResponse().state;
  if (actual !== state) this.fail(expected, `reply state ${JSON.stringify(actual)} (${where(first)}, ${where(second)})`);
});

/** Splits a joined entity id at its unescaped dashes; undefined if a backslash escapes anything but `\\` or `-`. */
function splitJoinedKey(id: string): string[] | undefined {
  const parts: string[] = [];
  let part = "";
  for (let i = 0; i < id.length; i++) {
    const c = id[i]!;
    if (c === "\\") {
      const next = id[i + 1];
      if (next !== "\\" && next !== "-") return undefined;
      part += c + next;
      i++;
    } else if (c === "-") {
      parts.push(part);
      part = "";
    } else {
      part += c;
    }
  }
  parts.push(part);
  return parts;
}

// docs/protocol.md fixes the join (field-number order, "-", escaping) but not how an int, a bool or an enum is
// written: those parts are judged by behaviour (J3), here only the string part's place and escaping.
Then(
  'the entity id is {string} escaped, then the other {int} key fields, joined with "-"',
  function (this: BackendWorld, _partA: string, others: number) {
    const partA = this.recall("compositePartA");
    const first = escapePart(partA);
    const ids = this.uf.traffic.streams.flatMap((s) => (s.entityId?.startsWith(`${first}-`) ? [s.entityId] : []));
    const recent = this.uf.traffic.streams.at(-1)?.entityId;
    const expected = `an entity id starting ${JSON.stringify(`${first}-`)} (part_a, field 1, escaped) followed by ${others} more "-"-separated parts`;
    const id = ids.at(-1);
    if (id === undefined) this.fail(expected, recent === undefined ? "no stream" : JSON.stringify(recent));
    const parts = splitJoinedKey(id);
    if (parts === undefined)
      this.fail(`${expected}, every "\\" escaping "\\" or "-"`, `${JSON.stringify(id)}: a backslash escaping something else`);
    if (parts.length !== others + 1 || parts[0] !== first)
      this.fail(expected, `${JSON.stringify(id)}: ${parts.length} parts ${JSON.stringify(parts)}`);
  },
);
