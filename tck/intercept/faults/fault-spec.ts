/**
 * The `--faults SPEC` grammar of intercept mode (see `faultSpecHelp`).
 *
 *   SPEC  := TERM ("," TERM)*
 *   TERM  := "seed=" INT | "rate=" R | "kinds=" KIND ("," KIND)* | "max-delay=" MS | POINT
 *   POINT := KIND ":" DIR ":" MSG ":" N [":" MS]
 */

export const faultKinds = ["delay", "drop", "duplicate", "reset", "reset-connection", "hold", "stray"] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultDirections = ["backend-to-uf", "uf-to-backend"] as const;
export type FaultDirection = (typeof faultDirections)[number];

/** What crosses at a fault point: a message of the protocol, or the backend's half-close. */
export type PointType = "init" | "event" | "command" | "half-close" | "reply" | "failure";

const pointTypesOf: Record<FaultDirection, readonly (PointType | "any")[]> = {
  "backend-to-uf": ["init", "event", "command", "half-close", "any"],
  "uf-to-backend": ["reply", "failure", "any"],
};

/** A fault at a named point: the Nth message of that type in that direction, counted over the run. */
export interface NamedFault {
  readonly kind: FaultKind;
  readonly direction: FaultDirection;
  readonly message: PointType | "any";
  readonly ordinal: number;
  /** For `delay`: how long (default: the plan's max delay). */
  readonly delayMs?: number;
}

export interface FaultPlan {
  /** The seed of the random faults (chosen at random and printed when the spec names none). */
  readonly seed: number;
  /** Chance of a random fault at each point, 0 (none: only named points) to 1. */
  readonly rate: number;
  /** Kinds the random faults draw from. */
  readonly kinds: readonly FaultKind[];
  /** A random delay lasts 1 to this many milliseconds. */
  readonly maxDelayMs: number;
  readonly points: readonly NamedFault[];
}

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

export const defaultRandomKinds: readonly FaultKind[] = ["delay", "drop", "duplicate", "reset"];
const defaultMaxDelayMs = 50;

/**
 * Which kinds make sense at a point: `hold` only at a half-close, `drop`/`duplicate` only at a
 * message, `stray` only after a message to the backend (on the same stream, in order: injected
 * after a message to the user function it would race the backend's own next step, and the same
 * seed could give other traffic).
 */
export function kindsApplicableAt(type: PointType): readonly FaultKind[] {
  // A half-close comes with a passivation or a shutdown, which may close other streams at the same moment.
  if (type === "half-close") return ["delay", "hold", "reset"];
  if (type === "reply" || type === "failure") return ["delay", "drop", "duplicate", "reset", "reset-connection", "stray"];
  return ["delay", "drop", "duplicate", "reset", "reset-connection"];
}

/** Parses a `--faults` spec; `randomSeed` supplies the seed when the spec names none. */
export function parseFaultSpec(spec: string, randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 31)): FaultPlan {
  const terms = spec.split(",").map((t) => t.trim());
  if (spec.trim() === "" || terms.some((t) => t === "")) throw new FaultSpecError(`--faults: an empty term in "${spec}"`);
  let seed: number | undefined;
  let rate: number | undefined;
  let kinds: FaultKind[] | undefined;
  let maxDelayMs = defaultMaxDelayMs;
  const points: NamedFault[] = [];
  let inKinds = false;
  for (const term of terms) {
    const eq = term.indexOf("=");
    if (eq < 0 && !term.includes(":")) {
      if (!inKinds)
        throw new FaultSpecError(`--faults: "${term}" is neither KEY=VALUE nor a point KIND:DIR:MSG:N (a kind belongs after kinds=)`);
      kinds!.push(kind(term, "kinds="));
      continue;
    }
    inKinds = false;
    if (eq >= 0) {
      const key = term.slice(0, eq);
      const value = term.slice(eq + 1);
      switch (key) {
        case "seed":
          if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
            throw new FaultSpecError(`--faults: seed must be a whole number, got "${value}"`);
          seed = Number(value);
          break;
        case "rate": {
          const r = Number(value);
          if (value === "" || !Number.isFinite(r) || r < 0 || r > 1)
            throw new FaultSpecError(`--faults: rate must be a number from 0 to 1, got "${value}"`);
          rate = r;
          break;
        }
        case "kinds":
          kinds = [kind(value, "kinds=")];
          inKinds = true;
          break;
        case "max-delay":
          maxDelayMs = milliseconds(value, "max-delay");
          break;
        default:
          throw new FaultSpecError(`--faults: unknown key "${key}" (known: seed, rate, kinds, max-delay)`);
      }
      continue;
    }
    points.push(point(term));
  }
  if (kinds !== undefined && rate === undefined)
    throw new FaultSpecError("--faults: kinds= without rate= injects nothing; give rate=R too");
  if (seed !== undefined && rate === undefined && points.length === 0)
    throw new FaultSpecError("--faults: seed= without rate= injects nothing; give rate=R too");
  return {
    seed: seed ?? randomSeed(),
    rate: rate ?? 0,
    kinds: [...new Set(kinds ?? defaultRandomKinds)],
    maxDelayMs,
    points,
  };
}

function kind(text: string, where: string): FaultKind {
  if (!(faultKinds as readonly string[]).includes(text))
    throw new FaultSpecError(`--faults: unknown fault kind "${text}" in ${where} (known: ${faultKinds.join(", ")})`);
  return text as FaultKind;
}

function milliseconds(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new FaultSpecError(`--faults: ${what} must be a whole number of milliseconds, at least 1, got "${text}"`);
  return Number(text);
}

function point(term: string): NamedFault {
  const parts = term.split(":");
  if (parts.length < 4 || parts.length > 5) throw new FaultSpecError(`--faults: a point is KIND:DIR:MSG:N[:MS], got "${term}"`);
  const [k, dir, msg, n, ms] = parts as [string, string, string, string, string | undefined];
  const faultKind = kind(k, `"${term}"`);
  if (!(faultDirections as readonly string[]).includes(dir))
    throw new FaultSpecError(`--faults: unknown direction "${dir}" in "${term}" (known: ${faultDirections.join(", ")})`);
  const direction = dir as FaultDirection;
  if (!pointTypesOf[direction].includes(msg as PointType)) {
    throw new FaultSpecError(`--faults: "${msg}" does not cross ${direction} in "${term}" (there: ${pointTypesOf[direction].join(", ")})`);
  }
  const message = msg as PointType | "any";
  if (!/^\d+$/.test(n) || Number(n) < 1)
    throw new FaultSpecError(`--faults: N must be a whole number from 1 (the Nth ${msg}), got "${n}" in "${term}"`);
  if (message !== "any" && !kindsApplicableAt(message).includes(faultKind)) {
    throw new FaultSpecError(
      `--faults: ${faultKind} does not apply to a ${msg} in "${term}" (there: ${kindsApplicableAt(message).join(", ")})`,
    );
  }
  if (message === "any" && faultKind === "hold") throw new FaultSpecError(`--faults: hold applies to a half-close only, in "${term}"`);
  if (message === "any" && faultKind === "stray" && direction !== "uf-to-backend") {
    throw new FaultSpecError(`--faults: stray applies to uf-to-backend messages only, in "${term}"`);
  }
  if (ms !== undefined && faultKind !== "delay") throw new FaultSpecError(`--faults: only a delay takes :MS, in "${term}"`);
  return { kind: faultKind, direction, message, ordinal: Number(n), ...(ms !== undefined ? { delayMs: milliseconds(ms, "a delay") } : {}) };
}

/** The plan as a spec that parses back to it (seed included): what the rerun line prints. */
export function formatFaultSpec(plan: FaultPlan): string {
  const terms: string[] = [`seed=${plan.seed}`];
  if (plan.rate > 0) terms.push(`rate=${plan.rate}`, `kinds=${plan.kinds.join(",")}`, `max-delay=${plan.maxDelayMs}`);
  for (const p of plan.points)
    terms.push([p.kind, p.direction, p.message, p.ordinal, ...(p.delayMs !== undefined ? [p.delayMs] : [])].join(":"));
  return terms.join(",");
}

export const faultSpecHelp = `Fault injection (--faults SPEC): comma-separated terms
  seed=N               seed of the random faults (a random one is chosen,
                       and printed, when none is given)
  rate=R               chance (0..1) of a random fault at each point: every
                       message either way and every backend half-close
  kinds=K,K,...        kinds the random faults draw from (default
                       ${defaultRandomKinds.join(",")}); the list runs to
                       the next term with = or :
  max-delay=MS         a random delay lasts 1..MS ms (default ${defaultMaxDelayMs})
  KIND:DIR:MSG:N[:MS]  a fault at a named point: the Nth MSG crossing DIR
                       in the run (counted from 1); MS for a delay
  DIR: backend-to-uf (MSG init, event, command, half-close, any) or
       uf-to-backend (MSG reply, failure, any)
  KIND: delay      hold the message MS ms (later ones on the stream queue
                   behind it: order is kept)
        drop       never forward it
        duplicate  forward it twice (a command's copy goes once the user
                   function answered the original; the answer to the copy
                   is absorbed)
        reset      reset the stream instead: the backend gets UNAVAILABLE,
                   the user function a cancel
        reset-connection  (not at a half-close) reset every open stream at
                   once and close the connection to the user function
                   (a new one is opened)
        hold       (half-close only) keep the stream half-open: the
                   half-close is never forwarded
        stray      (uf-to-backend only) forward it, then send the backend
                   a Reply to a command id it never sent
  The random faults are decided per point by a PRNG keyed on the seed, the
  entity, its stream's ordinal for that entity and the message's index on
  the stream: the same seed and the same traffic give the same faults.
  Examples: seed=42,rate=0.05,kinds=delay,drop,reset
            drop:uf-to-backend:reply:3,delay:backend-to-uf:command:2:200
`;
