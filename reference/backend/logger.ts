/** Structured logging: a message plus fields, filtered by level, one line per entry. */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every entry (e.g. the entity id). */
  child(fields: LogFields): Logger;
  /**
   * Whether entries at `level` are written now. Hot paths ask before building the fields of a
   * debug entry; a logger without it is taken to write everything.
   */
  isEnabled?(level: LogLevel): boolean;
}

export type LogFormat = "text" | "json";

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go; standard error by default. */
  readonly write?: (line: string) => void;
  readonly fields?: LogFields;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** A logger whose level (its children's too) can be changed while it runs: no restart, no state lost. */
export interface AdjustableLogger extends Logger {
  readonly level: LogLevel;
  setLevel(level: LogLevel): void;
}

export function createLogger(options: LoggerOptions): AdjustableLogger {
  return new LoggerImpl(options, options.fields ?? {}, { level: options.level });
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  isEnabled() {
    return false;
  },
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

class LoggerImpl implements AdjustableLogger {
  constructor(
    private readonly options: LoggerOptions,
    private readonly fields: LogFields,
    private readonly shared: { level: LogLevel },
  ) {}

  get level(): LogLevel {
    return this.shared.level;
  }
  /** Changes the level of this logger and of every logger made from the same root. */
  setLevel(level: LogLevel): void {
    this.shared.level = level;
  }

  isEnabled(level: LogLevel): boolean {
    return rank[level] >= rank[this.shared.level];
  }

  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }
  child(fields: LogFields): Logger {
    return new LoggerImpl(this.options, { ...this.fields, ...fields }, this.shared);
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (rank[level] < rank[this.shared.level]) return;
    const all = { ...this.fields, ...fields };
    const time = new Date().toISOString();
    const line =
      this.options.format === "json"
        ? JSON.stringify({ time, level, msg: message, ...all }, jsonSafe)
        : `${time} ${level.toUpperCase().padEnd(5)} ${message}${formatFields(all)}`;
    (this.options.write ?? ((l: string) => process.stderr.write(l + "\n")))(line);
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

function formatFields(fields: LogFields): string {
  const parts = Object.entries(fields).map(([k, v]) => {
    const text = v instanceof Error ? v.message : typeof v === "string" ? v : JSON.stringify(v, jsonSafe);
    return `${k}=${/\s/.test(text ?? "") ? JSON.stringify(text) : text}`;
  });
  return parts.length ? " " + parts.join(" ") : "";
}
