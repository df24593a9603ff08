/** What the kit asks of a backend under test; every value reaches it through the launch placeholders. */
export interface BackendSettings {
  /** Idle time after which an entity is passivated (short, so H1/H3 run fast). */
  readonly passivationTimeoutMs: number;
  /** How long a call waits for the user function's answer (short, for G6). */
  readonly relayTimeoutMs: number;
  /** Commands that may wait behind the one in flight, per entity (I5 bursts past it). */
  readonly relayBuffer: number;
}

export const defaultBackendSettings: BackendSettings = {
  passivationTimeoutMs: 400,
  relayTimeoutMs: 5_000,
  relayBuffer: 20,
};
