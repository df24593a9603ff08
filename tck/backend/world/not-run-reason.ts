/** Why a scenario cannot run against this backend, from its tags; undefined when it can. */
export function notRunReason(
  tags: readonly string[],
  backend: { readonly canRestart: boolean; readonly durable: boolean; readonly storageFaults: boolean },
): string | undefined {
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
