import type { Client } from "cassandra-driver";
import type { Logger } from "../../logger.js";

/**
 * cassandra-driver 4.10.0 (the newest release) can reject inside its control connection's
 * reconnection, and nothing catches it: an unhandled rejection, which ends a Node 20 process.
 *
 * How (lib/control-connection.js): `_refresh()` borrows a connection, then awaits the topology
 * queries. When those fail (a node still starting after a restart), its catch reads
 * `this.connection.endpoint`. A second `_refresh()` started meanwhile (a closed socket, a host seen
 * down, a scheduled retry) has already set `this.connection = null` before borrowing its own, so
 * the read throws "Cannot read properties of null (reading 'endpoint')". The first `_refresh()`
 * was called from the driver's own retry timer (`setTimeout(() => this._refresh(), delay)`),
 * whose promise nobody awaits.
 *
 * Seen in CI once under the Cassandra kill -9 trials. The refresh that nulled the connection is
 * the one in charge (it connects, or schedules its own retry), so the losing one may end quietly:
 * its rejection is caught and logged here. `_refresh` is internal to the driver, so this wraps it
 * only where it exists with the expected shape.
 */
export function guardControlConnectionRefresh(client: Client, log: Logger): boolean {
  const controlConnection = (client as unknown as { controlConnection?: { _refresh?: unknown } }).controlConnection;
  const refresh = controlConnection?._refresh;
  if (!controlConnection || typeof refresh !== "function") return false;
  controlConnection._refresh = function guardedRefresh(this: unknown, ...args: unknown[]): Promise<void> {
    return Promise.resolve(refresh.apply(this, args)).catch((error: unknown) => {
      log.warn("driver: a control connection refresh failed while another took over (cassandra-driver race, ignored)", {
        error: error instanceof Error ? error.message : String(error),
      });
    });
  };
  return true;
}
