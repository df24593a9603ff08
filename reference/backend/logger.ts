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

export function createLogger(options: LoggerOptions): Logger {
  return new LoggerImpl(options, options.fields ?? {});
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

class LoggerImpl implements Logger {
  constructor(
    private readonly options: LoggerOptions,
    private readonly fields: LogFields,
  ) {}

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
    return new LoggerImpl(this.options, { ...this.fields, ...fields });
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (rank[level] < rank[this.options.level]) return;
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
