/**
 * Settings a backend may be unable to take (issue 9, item 6), declared with `--lacks`,
 * and the scenarios (by tag) that need each one.
 */
export const capabilities = {
  "queue-bound": { needs: ["@I5"], what: "per-entity queue bound (--relay-buffer)" },
  "relay-timeout": { needs: ["@G6"], what: "configurable relay timeout (--relay-timeout)" },
  "passivation-timeout": {
    needs: ["@H1", "@long-passivation", "@passivates"],
    what: "configurable passivation timeout (--passivation-timeout)",
  },
} as const;

export type Capability = keyof typeof capabilities;

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(capabilities, name);
}

/** Why a scenario cannot run against this backend, from its tags; undefined when it can. */
export function notRunReason(
  tags: readonly string[],
  backend: {
    readonly canRestart: boolean;
    readonly durable: boolean;
    readonly storageFaults: boolean;
    readonly lacks?: readonly Capability[];
  },
): string | undefined {
  for (const lacked of backend.lacks ?? []) {
    if (capabilities[lacked].needs.some((tag) => tags.includes(tag))) return `the backend declares no ${capabilities[lacked].what}`;
  }
  if (tags.includes("@restart") && !backend.canRestart) {
    return "needs a backend the kit can start, stop and restart (run with --backend-command)";
  }
  if (tags.includes("@durable") && !backend.durable) {
    return "needs a journal that outlives a backend restart (declare it with --durable-journal)";
  }
  if (tags.includes("@storage-faults") && !backend.storageFaults) {
    return "needs storage faults on demand, which only a backend started in the kit's process offers (see README)";
  }
  return undefined;
}
