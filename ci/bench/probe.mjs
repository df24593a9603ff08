/**
 * Preloaded (`node --expose-gc --import ./ci/bench/probe.mjs ...`) into the processes the bench
 * starts with an IPC channel: answers {type: "heap"} with process.memoryUsage() taken after two
 * full garbage collections, and ends the process when the channel closes (the bench exited, even
 * by SIGKILL), so nothing it started outlives it. Adds no code path to the measured program.
 * Plain JavaScript: it loads into built programs that run without tsx (`--runtime built`).
 */
const gc = globalThis.gc;
if (process.send) {
  process.on("message", (message) => {
    if (message?.type !== "heap") return;
    gc?.();
    gc?.();
    process.send?.({ type: "heap", gc: gc !== undefined, memory: process.memoryUsage() });
  });
  process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
  process.channel?.unref();
}
