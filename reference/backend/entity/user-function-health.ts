import { connectivityState, type Client } from "@grpc/grpc-js";

/** The part of a grpc-js channel followed here. */
export type WatchedChannel = Pick<ReturnType<Client["getChannel"]>, "getConnectivityState" | "watchConnectivityState">;

export interface UserFunctionHealthOptions {
  /** The channel entity streams use (`UserFunctionClient.channel`). */
  readonly channel: WatchedChannel;
  /** How long the user function may stay unreachable (or its streams fail to open) before it counts as down. */
  readonly unhealthyAfterMs: number;
  /** Called with false once it has been down for `unhealthyAfterMs`, with true once it answers again. */
  readonly onChange: (available: boolean) => void;
}

export interface UserFunctionHealth {
  /** A `handle` stream was answered (true) or ended UNAVAILABLE/UNIMPLEMENTED before any message (false). */
  streamOpenOutcome(ok: boolean): void;
  /** Stops reporting (the channel is closed by its owner). */
  stop(): void;
}

/**
 * Follows the user function's reachability: the channel's connectivity (TRANSIENT_FAILURE: down,
 * READY: up; an idle channel is asked to connect, so a dead user function is noticed without
 * traffic) and the outcome of entity streams. Down for longer than `unhealthyAfterMs` without a
 * success in between reports unavailable; the first success after that reports available.
 */
export function watchUserFunctionHealth(options: UserFunctionHealthOptions): UserFunctionHealth {
  const { channel } = options;
  let stopped = false;
  let reportedDown = false;
  let downTimer: NodeJS.Timeout | undefined;

  const failed = () => {
    if (stopped || reportedDown || downTimer) return;
    downTimer = setTimeout(() => {
      downTimer = undefined;
      if (stopped) return;
      reportedDown = true;
      options.onChange(false);
    }, options.unhealthyAfterMs);
    downTimer.unref();
  };
  const succeeded = () => {
    if (downTimer) clearTimeout(downTimer);
    downTimer = undefined;
    if (stopped || !reportedDown) return;
    reportedDown = false;
    options.onChange(true);
  };

  const follow = () => {
    if (stopped) return;
    let state: connectivityState;
    try {
      // true: an idle channel starts connecting, so a user function that died while idle is noticed.
      state = channel.getConnectivityState(true);
    } catch {
      return;
    }
    if (state === connectivityState.SHUTDOWN) return;
    if (state === connectivityState.READY) succeeded();
    else if (state === connectivityState.TRANSIENT_FAILURE) failed();
    try {
      channel.watchConnectivityState(state, Infinity, (error) => {
        if (!error) follow();
      });
    } catch {
      // The channel was shut down meanwhile.
    }
  };
  follow();

  return {
    streamOpenOutcome: (ok) => (ok ? succeeded() : failed()),
    stop() {
      stopped = true;
      if (downTimer) clearTimeout(downTimer);
      downTimer = undefined;
    },
  };
}
