import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { logLevels, type AdjustableLogger, type LogLevel } from "../logger.js";
import type { BackendMetrics } from "./metrics.js";

export interface AdminServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly metrics: BackendMetrics;
  /** The backend's root logger: PUT /log-level changes its level (and every child's). */
  readonly logger: AdjustableLogger;
}

export interface AdminServer {
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Longest body PUT /log-level reads. */
const maxBody = 64;

/**
 * The admin HTTP server, off the gRPC port: `GET /metrics` (Prometheus text format),
 * `GET /log-level`, and `PUT /log-level` with a body of `debug`, `info`, `warn` or `error`
 * (the level changes at once; nothing restarts, no entity is lost). Anything else: 404 or 405.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { metrics, logger } = options;
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      logger.warn("admin request failed", { path: request.url, error });
      if (!response.headersSent) reply(response, 500, "internal error\n");
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      if (request.method !== "GET" && request.method !== "HEAD") return reply(response, 405, "GET /metrics\n", { allow: "GET, HEAD" });
      const text = await metrics.scrape();
      return reply(response, 200, text, { "content-type": metrics.contentType });
    }
    if (path === "/log-level") {
      if (request.method === "GET") return reply(response, 200, `${logger.level}\n`);
      if (request.method !== "PUT" && request.method !== "POST") {
        return reply(response, 405, "GET or PUT /log-level\n", { allow: "GET, PUT, POST" });
      }
      const body = (await readBody(request)).trim();
      if (!(logLevels as readonly string[]).includes(body)) {
        return reply(response, 400, `the body must be one of ${logLevels.join(", ")}; got ${JSON.stringify(body.slice(0, maxBody))}\n`);
      }
      const previous = logger.level;
      logger.setLevel(body as LogLevel);
      // At warn, so the change shows whatever the new level.
      logger.warn("log level changed", { from: previous, to: body, by: "PUT /log-level" });
      return reply(response, 200, `${body}\n`);
    }
    return reply(response, 404, "not found: the admin server serves /metrics and /log-level\n");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(response: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(code, { "content-type": "text/plain; charset=utf-8", ...headers });
  response.end(body);
}

/** The body, cut at `maxBody` characters (a level name is short). */
async function readBody(request: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > maxBody) break;
  }
  return body.slice(0, maxBody + 1);
}
