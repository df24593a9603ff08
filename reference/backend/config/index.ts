export type { BackendConfig, BackendLimits, JournalSettings, ServerTlsFiles, UserFunctionTlsFiles } from "./backend-config.js";
export { ConfigError } from "./config-error.js";
export { helpText, parseBackendConfig, type ParsedCommandLine } from "./parse-backend-config.js";
export { type CassandraSettingReader, cassandraSettingsFromEnv, parseCassandraSettings } from "./parse-cassandra-settings.js";
export { parseDuration } from "./parse-duration.js";
export { parseByteSize } from "./parse-byte-size.js";
