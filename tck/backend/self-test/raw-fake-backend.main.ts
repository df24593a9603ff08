// A raw fake backend as a process, for command-mode self-tests:
//   raw-fake-backend.main.ts --defect DEFECT --port PORT --user-function HOST:PORT [--passivation-timeout MS] [--relay-timeout MS] [--relay-buffer N]
// The fake listens on a port of its own; this forwards --port to it byte for byte.
import { createConnection, createServer } from "node:net";
import { parseArgs } from "node:util";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { createRawFakeBackendLauncher, type FakeBackendDefect } from "./raw-fake-backend.js";

const { values } = parseArgs({
  options: {
    defect: { type: "string" },
    port: { type: "string" },
    "user-function": { type: "string" },
    "passivation-timeout": { type: "string" },
    "relay-timeout": { type: "string" },
    "relay-buffer": { type: "string" },
  },
});
const required = (name: keyof typeof values) =>
  values[name] ?? (process.stderr.write(`raw fake backend: --${name} is required\n`), process.exit(2));
const number = (text: string | undefined, fallback: number) => (text === undefined ? fallback : Number.parseInt(text, 10));
const launched = await createRawFakeBackendLauncher(required("defect") as FakeBackendDefect).launch({
  userFunction: required("user-function"),
  settings: {
    passivationTimeoutMs: number(values["passivation-timeout"], defaultBackendSettings.passivationTimeoutMs),
    relayTimeoutMs: number(values["relay-timeout"], defaultBackendSettings.relayTimeoutMs),
    relayBuffer: number(values["relay-buffer"], defaultBackendSettings.relayBuffer),
  },
});
const [host, fakePort] = launched.target.split(":") as [string, string];
const proxy = createServer((socket) => {
  const upstream = createConnection({ host, port: Number(fakePort) });
  socket.pipe(upstream).pipe(socket);
  const close = () => (socket.destroy(), upstream.destroy());
  socket.on("error", close);
  upstream.on("error", close);
});
proxy.listen(Number(required("port")), "127.0.0.1", () => process.stdout.write(`${launched.output()}\n`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void launched.stop().then(() => process.exit(0)));
