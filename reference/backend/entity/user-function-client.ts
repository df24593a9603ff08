import { credentials, type ChannelCredentials, type ClientDuplexStream } from "@grpc/grpc-js";
import type { WatchedChannel } from "./user-function-health.js";
import { createEntityClient, type StreamIn, type StreamOut } from "../../protocol/index.js";

/** Opens one `handle` stream to the user function. */
export type OpenEntityStream = () => ClientDuplexStream<StreamIn, StreamOut>;

export interface UserFunctionClient {
  readonly openStream: OpenEntityStream;
  /** The channel the streams share, for following the user function's reachability. */
  readonly channel: WatchedChannel;
  close(): void;
}

/** Per stream: Init, a snapshot of a few KiB and the first events of a replay. */
const retryBufferBytes = 64 * 1024;

/** TLS to the user function: the CA its certificate must chain to, and for mutual TLS our certificate (PEM). */
export interface UserFunctionTls {
  readonly ca: Buffer;
  readonly client?: { readonly cert: Buffer; readonly key: Buffer };
}

/** Channel credentials for the user-function link: TLS when `tls` is given, else plaintext. */
export function userFunctionCredentials(tls: UserFunctionTls | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.client?.key ?? null, tls.client?.cert ?? null);
}

/**
 * A client for the user function's `Entity` service at `address` (`host:port`). A message
 * either way over `maxMessageBytes` ends its stream RESOURCE_EXHAUSTED (grpc-js checks a
 * message's length before reading it, so memory stays bounded by the limit).
 */
export function createUserFunctionClient(
  address: string,
  maxMessageBytes: number,
  options: { readonly credentials?: ChannelCredentials; readonly maxReconnectBackoffMs?: number } = {},
): UserFunctionClient {
  const channelCredentials = options.credentials ?? credentials.createInsecure();
  const maxReconnectBackoffMs = options.maxReconnectBackoffMs;
  // A reply carries the response, its events and maybe a snapshot: it may well pass grpc-js's 4 MiB default.
  const client = createEntityClient(address, {
    credentials: channelCredentials,
    channel: {
      "grpc.max_receive_message_length": maxMessageBytes,
      "grpc.max_send_message_length": maxMessageBytes,
      // grpc-js keeps what a call writes before the server's first answer (up to 1 MiB by default) for
      // a transparent retry, and once past that copies the rest of its buffer on every later write:
      // a long replay, written before the user function says anything, paid that on every event. A
      // stream refused before it reaches the user function is still retried with up to this much.
      "grpc.per_rpc_retry_buffer_size": retryBufferBytes,
      // grpc-js backs off up to 120 s between connection attempts by default: a user function back
      // after a crash would stay unnoticed (health NOT_SERVING) that long.
      ...(maxReconnectBackoffMs === undefined
        ? {}
        : {
            "grpc.max_reconnect_backoff_ms": maxReconnectBackoffMs,
            "grpc.initial_reconnect_backoff_ms": Math.min(1000, maxReconnectBackoffMs),
          }),
    },
  });
  return {
    openStream: (): ClientDuplexStream<StreamIn, StreamOut> => client.handle(),
    channel: client.getChannel(),
    close: () => client.close(),
  };
}
