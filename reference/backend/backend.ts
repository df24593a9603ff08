import { Server, ServerCredentials, status as grpcStatus, type ChannelCredentials } from "@grpc/grpc-js";
import { readFileSync } from "node:fs";
import type { BackendConfig, BackendLimits } from "./config/backend-config.js";
import { ConfigError } from "./config/config-error.js";
import { discoverUserService, type UserService } from "./discovery/index.js";
import { defaultEntityConfig, type EntityStateMachineConfig } from "./entity/entity-protocol.js";
import { combineObservers, type EntityObserver } from "./entity/entity-observer.js";
import { createEntityRegistry, type EntityRegistry } from "./entity/entity-registry.js";
import { createLifecycleLog } from "./entity/lifecycle-log.js";
import {
  createUserFunctionClient,
  userFunctionCredentials,
  type UserFunctionClient,
  type UserFunctionTls,
} from "./entity/user-function-client.js";
import { watchUserFunctionHealth, type UserFunctionHealth } from "./entity/user-function-health.js";
import { BackendError, grpcStatusOf } from "./errors/index.js";
import type { Logger } from "./logger.js";
import type { Journal } from "./persistence/journal.js";
import type { SnapshotStore } from "./persistence/snapshot-store.js";
import { timeJournal, timeSnapshotStore, type StoreTiming } from "./persistence/timed-stores.js";
import { createCommandDispatcher, type CommandDispatcher } from "./server/command-dispatcher.js";
import { createOperationalSurface } from "./server/create-operational-surface.js";
import type { OperationalSurface } from "./server/operational-surface.js";
import { registerUserService } from "./server/register-user-service.js";

export type { OperationalSurface };

export interface BackendOptions {
  /** Where clients call the user's service (default 127.0.0.1). */
  readonly host?: string;
  /** Default 9000; 0 picks a free port (tests). */
  readonly port?: number;
  /** The user function, `host:port`. */
  readonly userFunction: string;
  /** Passivation and relay timeouts, queue capacity, replay page size; defaults are the seed's. */
  readonly entity?: Partial<EntityStateMachineConfig>;
  /** How long `stop()` waits for calls and streams to finish before forcing (default 10 s). */
  readonly shutdownGraceMs?: number;
  /** Request, link message, key and echo limits; defaults in `defaultBackendLimits`. */
  readonly limits?: Partial<BackendLimits>;
  /** Passivation and recovery lines at info, at most this many per second (default 10; 0: none). */
  readonly lifecycleLogLinesPerSecond?: number;
  /**
   * How long the user function may be unreachable (or its streams fail to open) before health
   * says NOT_SERVING (default 10 s). The backend also retries connecting at least this often.
   */
  readonly userFunctionUnhealthyAfterMs?: number;
  /** Serve clients over TLS (with `clientCa`: clients must present a certificate it signed); plaintext by default. */
  readonly tls?: BackendTls;
  /** Connect to the user function over TLS (mutual TLS with `client`); plaintext by default. */
  readonly userFunctionTls?: UserFunctionTls;
}

/** The backend's server certificate chain and key (PEM), and the CA of client certificates for mutual TLS. */
export interface BackendTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

/** The limits' defaults, as `--help` states them. */
export const defaultBackendLimits: BackendLimits = {
  maxRequestBytes: 4 * 1024 * 1024,
  maxUserFunctionMessageBytes: 16 * 1024 * 1024,
  maxKeyBytes: 4 * 1024,
  maxEchoedTextLength: 200,
};

/** What the backend reports for metrics (ops/metrics.ts); each member optional, none may throw. */
export interface BackendObserver {
  readonly entity?: EntityObserver;
  /** A request finished: its user method, its gRPC status code name (`OK`, `UNAVAILABLE`…), its duration. */
  commandFinished?(method: string, code: string, durationMs: number): void;
  readonly storeOperation?: StoreTiming;
}

export interface BackendDeps {
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  readonly logger: Logger;
  /** Finds the user service; by default `ready()` on the user function with backoff. */
  readonly discover?: (signal: AbortSignal) => Promise<UserService>;
  /** Health and reflection; by default `createOperationalSurface()`: health only, no reflection. */
  readonly operations?: OperationalSurface;
  /** Metrics; none by default. */
  readonly observer?: BackendObserver;
}

export interface BackendAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port`, for a grpc-js client. */
  readonly target: string;
}

export interface Backend {
  /** Listens, then discovers the user service in the background. Resolves once listening. */
  start(): Promise<BackendAddress>;
  /** Resolves when the user service is served; rejects if discovery fails for good (or the backend stops first). */
  readonly serving: Promise<UserService>;
  /** Drains calls in flight, completes every entity stream, closes the server. Stores stay open (the caller owns them). */
  stop(): Promise<void>;
  readonly address: BackendAddress | undefined;
  /** Entities with an open session (for tests and diagnostics). */
  readonly activeEntities: number;
}

/** The backend's options from its resolved configuration (config/). */
export function backendOptionsFrom(config: BackendConfig): BackendOptions {
  return {
    host: config.host,
    port: config.port,
    userFunction: config.userFunction,
    entity: {
      passivationTimeoutMs: config.passivationTimeoutMs,
      relayTimeoutMs: config.relayTimeoutMs,
      queueCapacity: config.relayBuffer,
      freshnessCheck: config.freshnessCheck,
    },
    shutdownGraceMs: config.shutdownTimeoutMs,
    limits: config.limits,
    lifecycleLogLinesPerSecond: config.lifecycleLogLinesPerSecond,
    userFunctionUnhealthyAfterMs: config.userFunctionUnhealthyAfterMs,
    ...(config.tls && {
      tls: {
        cert: readPem("--tls-cert", config.tls.certPath),
        key: readPem("--tls-key", config.tls.keyPath),
        ...(config.tls.clientCaPath !== undefined && { clientCa: readPem("--tls-client-ca", config.tls.clientCaPath) }),
      },
    }),
    ...(config.userFunctionTls && {
      userFunctionTls: {
        ca: readPem("--user-function-ca", config.userFunctionTls.caPath),
        ...(config.userFunctionTls.client && {
          client: {
            cert: readPem("--user-function-cert", config.userFunctionTls.client.certPath),
            key: readPem("--user-function-key", config.userFunctionTls.client.keyPath),
          },
        }),
      },
    }),
  };
}

/** A PEM file a setting names; a ConfigError naming the setting if it cannot be read. */
function readPem(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${setting}: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function serverCredentials(tls: BackendTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.clientCa !== undefined);
}

export function createBackend(options: BackendOptions, deps: BackendDeps): Backend {
  return new BackendImpl(options, deps);
}

class BackendImpl implements Backend {
  readonly serving: Promise<UserService>;
  private markServing!: (service: UserService) => void;
  private failServing!: (error: unknown) => void;
  private readonly server: Server;
  private readonly limits: BackendLimits;
  private readonly discovery = new AbortController();
  private readonly userFunction: UserFunctionClient;
  /** The user-function link's credentials, shared by discovery and the entity streams. */
  readonly userFunctionCredentials: ChannelCredentials;
  private readonly registry: EntityRegistry;
  private boundAddress: BackendAddress | undefined;
  private stopping: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly operations: OperationalSurface;
  /** Started once the user service is served (before that health says NOT_SERVING anyway). */
  private userFunctionHealth: UserFunctionHealth | undefined;
  private readonly unhealthyAfterMs: number;

  constructor(
    private readonly options: BackendOptions,
    private readonly deps: BackendDeps,
  ) {
    this.logger = deps.logger;
    this.operations = deps.operations ?? createOperationalSurface();
    this.serving = new Promise<UserService>((resolve, reject) => {
      this.markServing = resolve;
      this.failServing = reject;
    });
    // Whoever awaits `serving` sees the failure; it must not crash a backend nobody waits on.
    this.serving.catch(() => {});
    this.limits = { ...defaultBackendLimits, ...options.limits };
    // grpc-js refuses a request over the limit from its length prefix, RESOURCE_EXHAUSTED, before
    // reading it; replies are not limited here (the link's limit bounds them already).
    this.server = new Server({
      "grpc.max_receive_message_length": this.limits.maxRequestBytes,
      "grpc.max_send_message_length": -1,
    });
    this.unhealthyAfterMs = options.userFunctionUnhealthyAfterMs ?? 10_000;
    this.userFunctionCredentials = userFunctionCredentials(options.userFunctionTls);
    this.userFunction = createUserFunctionClient(options.userFunction, this.limits.maxUserFunctionMessageBytes, {
      credentials: this.userFunctionCredentials,
      // Reconnect attempts at least this often, so a user function back from a crash is noticed soon.
      maxReconnectBackoffMs: Math.min(Math.max(this.unhealthyAfterMs, 1000), 10_000),
    });
    const storeTiming = deps.observer?.storeOperation;
    this.registry = createEntityRegistry({
      config: { ...defaultEntityConfig, maxEchoedTextLength: this.limits.maxEchoedTextLength, ...options.entity },
      journal: storeTiming ? timeJournal(deps.journal, storeTiming) : deps.journal,
      snapshotStore: storeTiming ? timeSnapshotStore(deps.snapshotStore, storeTiming) : deps.snapshotStore,
      openStream: this.userFunction.openStream,
      logger: deps.logger,
      observer: combineObservers(
        deps.observer?.entity,
        createLifecycleLog(deps.logger, { linesPerSecond: options.lifecycleLogLinesPerSecond ?? 10 }),
        { streamOpenOutcome: (ok) => this.userFunctionHealth?.streamOpenOutcome(ok) },
      ),
    });
  }

  private watchUserFunction(): void {
    const userFunction = this.options.userFunction;
    this.userFunctionHealth = watchUserFunctionHealth({
      channel: this.userFunction.channel,
      unhealthyAfterMs: this.unhealthyAfterMs,
      onChange: (available) => {
        if (available) this.logger.info("the user function answers again", { userFunction });
        else this.logger.warn("the user function is unreachable; health says NOT_SERVING", { userFunction, forMs: this.unhealthyAfterMs });
        this.operations.userFunctionAvailable?.(available);
      },
    });
  }

  /** The dispatcher, timed and counted by method and status when there is an observer. */
  private meteredDispatcher(dispatch: CommandDispatcher): CommandDispatcher {
    const finished = this.deps.observer?.commandFinished;
    if (!finished) return dispatch;
    return async (method, request, clientGone) => {
      const start = performance.now();
      try {
        const reply = await dispatch(method, request, clientGone);
        finished(method.name, "OK", performance.now() - start);
        return reply;
      } catch (error) {
        finished(method.name, grpcStatus[grpcStatusOf(BackendError.from(error).code)], performance.now() - start);
        throw error;
      }
    };
  }

  get address(): BackendAddress | undefined {
    return this.boundAddress;
  }

  get activeEntities(): number {
    return this.registry.activeEntities;
  }

  async start(): Promise<BackendAddress> {
    const host = this.options.host ?? "127.0.0.1";
    this.operations.attach(this.server);
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:${this.options.port ?? 9000}`, serverCredentials(this.options.tls), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    this.boundAddress = { host, port, target: `${host.includes(":") ? `[${host}]` : host}:${port}` };
    this.logger.info("backend listening", {
      address: this.boundAddress.target,
      tls: this.options.tls ? (this.options.tls.clientCa ? "mutual" : "on") : "off",
      userFunction: this.options.userFunction,
      userFunctionTls: this.options.userFunctionTls ? (this.options.userFunctionTls.client ? "mutual" : "on") : "off",
    });
    void this.discoverAndServe();
    return this.boundAddress;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async discoverAndServe(): Promise<void> {
    const discover =
      this.deps.discover ??
      ((signal: AbortSignal) =>
        discoverUserService({
          target: this.options.userFunction,
          logger: this.logger,
          signal,
          credentials: this.userFunctionCredentials,
        }));
    try {
      const service = await discover(this.discovery.signal);
      if (this.stopping) throw new Error("backend stopped before the user service was served");
      registerUserService(
        this.server,
        service,
        this.meteredDispatcher(createCommandDispatcher(service, this.registry, this.limits)),
        this.logger,
      );
      this.operations.serving(this.server, service);
      this.watchUserFunction();
      this.logger.info("serving the user service", {
        service: service.name,
        persistenceId: service.persistenceId,
        methods: [...service.methods.keys()].join(","),
      });
      this.markServing(service);
    } catch (error) {
      if (!this.stopping) this.logger.error("cannot serve the user function's service", { error });
      this.failServing(error);
    }
  }

  private async shutdown(): Promise<void> {
    this.logger.info("backend stopping");
    this.discovery.abort(new Error("backend stopping"));
    this.operations.stopping();
    const graceMs = this.options.shutdownGraceMs ?? 10_000;
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolve) => (graceTimer = setTimeout(() => resolve("timeout"), graceMs)));
    // Calls in flight wait on their entities; the entities drain their queues, then complete their streams.
    const drained = Promise.all([new Promise<void>((resolve) => this.server.tryShutdown(() => resolve())), this.registry.shutdown()]).then(
      () => "drained" as const,
    );
    const outcome = await Promise.race([drained, graceOver]);
    clearTimeout(graceTimer);
    if (outcome === "timeout") {
      this.logger.warn("calls still running after the shutdown grace period; closing anyway", { graceMs });
      this.registry.abort();
      this.server.forceShutdown();
    }
    this.userFunctionHealth?.stop();
    this.userFunction.close();
    this.logger.info("backend stopped");
  }
}
