/**
 * Preloaded (`node --expose-gc --import tsx --import ./ci/bench/probe.ts ...`) into the processes the
 * bench starts with an IPC channel: answers {type: "heap"} with process.memoryUsage() taken after two
 * full garbage collections, and ends the process when the channel closes (the bench exited, even
 * by SIGKILL), so nothing it started outlives it. Adds no code path to the measured program.
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (process.send) {
  process.on("message", (message: { type?: string }) => {
    if (message?.type !== "heap") return;
    gc?.();
    gc?.();
    process.send?.({ type: "heap", gc: gc !== undefined, memory: process.memoryUsage() });
  });
  process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
  process.channel?.unref();
}
