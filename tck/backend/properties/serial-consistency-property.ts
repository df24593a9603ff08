import fc from "fast-check";
import { subjectOf } from "../../kit/doubles/instrumented-user-function/index.js";
import { decodeModelResponse, modelMethodPath, modelRequest, type ModelAction } from "../driver/model-requests.js";
import type { PropertyContext, PropertyOutcome } from "./property-context.js";
import { propertyReport } from "./property-report.js";

interface Operation {
  readonly entity: number;
  readonly fails: boolean;
}

/**
 * I6 (M4): concurrent calls on a few entities. Each call appends its own token
 * (or fails after emitting one); per entity, the successful replies must line up
 * in one serial order in which every reply's state is the previous one plus its
 * own token, failed calls leave no trace, and the final state is the end of that order.
 */
export async function checkSerialConsistencyProperty(ctx: PropertyContext): Promise<PropertyOutcome> {
  const operations = fc.array(fc.record({ entity: fc.nat({ max: 2 }), fails: fc.boolean() }), { minLength: 2, maxLength: 12 });
  let run = 0;
  const property = fc.asyncProperty(operations, async (ops: Operation[]) => {
    const prefix = `${ctx.entityPrefix}-r${run++}`;
    const client = await ctx.stage.serve(subjectOf("model"));
    const entityId = (e: number) => `${prefix}-e${e}`;
    const token = (i: number) => `<${i}>`;
    const results = await Promise.all(
      ops.map(async (op, i) => {
        const actions: ModelAction[] = op.fails ? [{ emit: token(i) }, { fail: `refused ${i}` }] : [{ emit: token(i) }];
        return {
          op,
          i,
          outcome: await client.unary(modelMethodPath("Process"), modelRequest(entityId(op.entity), actions), {
            timeoutMs: ctx.stage.callDeadlineMs(ctx.timeoutMs),
          }),
        };
      }),
    );
    for (const entity of new Set(ops.map((o) => o.entity))) {
      const mine = results.filter((r) => r.op.entity === entity);
      for (const r of mine.filter((m) => m.op.fails)) {
        if (r.outcome.ok || r.outcome.codeName !== "UNKNOWN")
          throw new Error(`call ${r.i} should fail UNKNOWN, got ${r.outcome.ok ? "success" : r.outcome.codeName}`);
      }
      const replies = mine
        .filter((m) => !m.op.fails)
        .map((m) => {
          if (!m.outcome.ok) throw new Error(`call ${m.i} on e${entity} failed: ${m.outcome.codeName}: ${m.outcome.details}`);
          return { i: m.i, state: decodeModelResponse(m.outcome.bytes).state };
        })
        .sort((a, b) => a.state.length - b.state.length);
      let serial = "";
      for (const reply of replies) {
        if (reply.state !== serial + token(reply.i)) {
          throw new Error(
            `e${entity}: no serial order explains the replies ${JSON.stringify(replies.map((r) => r.state))} (call ${reply.i} answered ${JSON.stringify(reply.state)} after ${JSON.stringify(serial)})`,
          );
        }
        serial = reply.state;
      }
      const final = await client.unary(modelMethodPath("Process"), modelRequest(entityId(entity), []), {
        timeoutMs: ctx.stage.callDeadlineMs(ctx.timeoutMs),
      });
      const finalState = final.ok ? decodeModelResponse(final.bytes).state : `${final.codeName}: ${final.details}`;
      if (finalState !== serial)
        throw new Error(`e${entity}: final state ${JSON.stringify(finalState)}, but the replies end at ${JSON.stringify(serial)}`);
    }
  });
  const details = await fc.check(property, { numRuns: ctx.runs, ...(ctx.seed === undefined ? {} : { seed: ctx.seed }) });
  if (!details.failed) return { ok: true };
  return { ok: false, report: propertyReport(details, ctx.rerunCommand) };
}
