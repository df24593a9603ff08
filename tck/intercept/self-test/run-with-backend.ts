import { createEntityClient, type EntityClient } from "../../../reference/protocol/index.js";
import { runInterceptCommand } from "../cli/intercept-command.js";

/**
 * Runs `tck intercept` and, once it listens, plays the backend with `act`
 * (given a client of the interceptor); the command stops when `act` is done.
 */
export async function runWithBackend(argv: string[], act: (client: EntityClient) => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let acting: Promise<void> | undefined;
  const code = await runInterceptCommand(argv, {
    out: (line) => {
      out.push(line);
      const listening = /listening on (\S+),/.exec(line);
      if (!listening) return;
      const client = createEntityClient(listening[1]!);
      acting = act(client).finally(() => {
        client.close();
        stop();
      });
    },
    err: (line) => err.push(line),
    stopSignal,
  });
  await acting;
  return { code, out, err };
}
