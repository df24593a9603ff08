export interface ClientArgs {
  readonly host: string;
  readonly port: number;
}

export type ParsedClientArgs = { readonly kind: "args"; readonly args: ClientArgs } | { readonly kind: "help"; readonly text: string };

export const clientUsage = `Usage: [--host <host>] [--port <port>]

Talks to the shopping cart service through the backend (default 127.0.0.1:9000).
`;

/** `--host` and `--port` (as `--flag value` or `--flag=value`); throws an Error with a readable message. */
export function parseClientArgs(argv: readonly string[]): ParsedClientArgs {
  let host = "127.0.0.1";
  let port = 9000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") return { kind: "help", text: clientUsage };
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag !== "--host" && flag !== "--port") throw new Error(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") throw new Error(`${flag} needs a value`);
    if (flag === "--host") host = value;
    else {
      port = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(port >= 1 && port <= 65535)) throw new Error(`--port: ${JSON.stringify(value)} is not a port number (1-65535)`);
    }
  }
  return { kind: "args", args: { host, port } };
}

/** host:port for grpc-js, bracketing IPv6 literals. */
export function targetOf(args: ClientArgs): string {
  return args.host.includes(":") && !args.host.startsWith("[") ? `[${args.host}]:${args.port}` : `${args.host}:${args.port}`;
}
