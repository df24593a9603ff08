import fc from "fast-check";
import { subjectOf } from "../../kit/doubles/instrumented-user-function/index.js";
import { decodeModelResponse, modelMethodPath, modelRequest, type ModelAction } from "../driver/model-requests.js";
import type { PropertyContext, PropertyOutcome } from "./property-context.js";
import { propertyReport } from "./property-report.js";

/** What a client must see: each entity's state, whatever passivations and restarts happened. */
interface LifecycleModel {
  readonly states: Map<number, string>;
}

interface LifecycleReal {
  readonly ctx: PropertyContext;
  readonly entityId: (index: number) => string;
}

type Command = fc.AsyncCommand<LifecycleModel, LifecycleReal>;

class ProcessCommand implements Command {
  constructor(
    readonly entity: number,
    readonly actions: readonly ModelAction[],
  ) {}

  check = () => true;

  async run(model: LifecycleModel, real: LifecycleReal): Promise<void> {
    const id = real.entityId(this.entity);
    const client = await real.ctx.stage.serve(subjectOf("model"));
    const outcome = await client.unary(modelMethodPath("Process"), modelRequest(id, this.actions), {
      timeoutMs: real.ctx.stage.callDeadlineMs(real.ctx.timeoutMs),
    });
    const before = model.states.get(this.entity) ?? "";
    const failure = this.actions.find((a): a is { fail: string } => "fail" in a);
    if (failure) {
      if (outcome.ok || outcome.codeName !== "UNKNOWN" || outcome.details !== failure.fail) {
        throw new Error(
          `expected UNKNOWN ${JSON.stringify(failure.fail)}, got ${outcome.ok ? "success" : `${outcome.codeName}: ${outcome.details}`}`,
        );
      }
      return;
    }
    if (!outcome.ok) throw new Error(`expected success, got ${outcome.codeName}: ${outcome.details}`);
    const expected = before + this.actions.map((a) => ("emit" in a ? a.emit : "")).join("");
    const state = decodeModelResponse(outcome.bytes).state;
    if (state !== expected)
      throw new Error(
        `entity ${this.entity}: the model predicts state ${JSON.stringify(expected)}, the backend answered ${JSON.stringify(state)}`,
      );
    model.states.set(this.entity, expected);
  }

  toString(): string {
    return `process(e${this.entity}, ${this.actions.map((a) => Object.entries(a).map(([k, v]) => `${k} ${JSON.stringify(v)}`)[0]).join(", ") || "nothing"})`;
  }
}

class PassivateCommand implements Command {
  constructor(readonly entity: number) {}

  check = () => true;

  async run(_model: LifecycleModel, real: LifecycleReal): Promise<void> {
    const traffic = real.ctx.stage.userFunction.traffic;
    const stream = traffic.streamsOf(real.entityId(this.entity)).at(-1);
    if (!stream) return;
    const passivated = () => stream.backendCompleted && stream.ended !== undefined;
    if (passivated()) return;
    // Waits for the stream's end (a traffic event), bounded by the passivation timeout plus --timeout.
    const budgetMs = real.ctx.stage.settings.passivationTimeoutMs + real.ctx.timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(
          new Error(
            `entity ${this.entity} was not passivated within ${real.ctx.stage.settings.passivationTimeoutMs} ms of idleness (waited ${budgetMs} ms)`,
          ),
        );
      }, budgetMs);
      const unsubscribe = traffic.onChange(() => {
        if (!passivated()) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
  }

  toString(): string {
    return `passivate(e${this.entity})`;
  }
}

class RestartCommand implements Command {
  check = () => true;

  async run(_model: LifecycleModel, real: LifecycleReal): Promise<void> {
    await real.ctx.stage.restart();
  }

  toString(): string {
    return "restart backend";
  }
}

const value = fc.stringMatching(/^[a-z]{1,3}$/);
const actions: fc.Arbitrary<ModelAction[]> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(
      value.map((emit): ModelAction => ({ emit })),
      { minLength: 0, maxLength: 3 },
    ),
  },
  { weight: 1, arbitrary: fc.tuple(value, value).map(([emit, fail]): ModelAction[] => [{ emit }, { fail: `no ${fail}` }]) },
);

/**
 * H7 (M4, M1): a model predicts every reply over several entities while
 * entities are passivated, and with `restarts` the backend restarted, at
 * random points. A failure reports the seed and the shrunk command list.
 */
export async function checkLifecycleProperty(
  ctx: PropertyContext,
  options: { readonly entities: number; readonly restarts: boolean },
): Promise<PropertyOutcome> {
  const entity = fc.nat({ max: options.entities - 1 });
  const commands = [
    entity.chain((e) => actions.map((a) => new ProcessCommand(e, a))),
    entity.map((e) => new PassivateCommand(e)),
    ...(options.restarts ? [fc.constant(new RestartCommand())] : []),
  ];
  let run = 0;
  const property = fc.asyncProperty(fc.commands(commands, { maxCommands: 8 }), async (cmds) => {
    const prefix = `${ctx.entityPrefix}-r${run++}`;
    const setup = () => ({ model: { states: new Map<number, string>() }, real: { ctx, entityId: (i: number) => `${prefix}-e${i}` } });
    await fc.asyncModelRun(setup, cmds);
  });
  const details = await fc.check(property, { numRuns: ctx.runs, ...(ctx.seed === undefined ? {} : { seed: ctx.seed }) });
  if (!details.failed) return { ok: true };
  return { ok: false, report: propertyReport(details, ctx.rerunCommand) };
}
