import type { AdjustableLogger, LogLevel } from "../logger.js";

/**
 * SIGUSR2 switches `logger` to debug, and the next one back to `configured` (info when debug was
 * configured). Nothing restarts: entities, streams and the in-memory journal stay as they are.
 * Returns a function that removes the handler.
 */
export function toggleDebugOnSignal(logger: AdjustableLogger, configured: LogLevel): () => void {
  const handler = () => {
    const from = logger.level;
    const to: LogLevel = from === "debug" ? (configured === "debug" ? "info" : configured) : "debug";
    logger.setLevel(to);
    // At warn, so the change shows whatever the new level.
    logger.warn("log level changed", { from, to, by: "SIGUSR2" });
  };
  process.on("SIGUSR2", handler);
  return () => void process.off("SIGUSR2", handler);
}
