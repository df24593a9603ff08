import { errors, types } from "cassandra-driver";
import { StorageError } from "../storage-error.js";

const codes = types.responseErrorCodes;

/**
 * A driver failure as a StorageError. What the driver reports is `unavailable` (the backend
 * restarts the entity and a later try may succeed), except what no retry can fix: a request
 * Cassandra refuses for its size is `too-large`, a value the driver cannot encode (a key over
 * 65,535 bytes: a RangeError) is `rejected`. A `conflict` is never a driver error: adapters
 * raise it themselves when a lightweight transaction is not applied.
 * `doing` says what was attempted, for an operator reading the log.
 */
export function storageErrorFromDriver(error: unknown, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  if (error instanceof errors.NoHostAvailableError) {
    // A refused login, said plainly (the driver's own message embeds the inner error's stack).
    const refusal = Object.values(error.innerErrors ?? {}).find((inner) => inner instanceof errors.AuthenticationError);
    if (refusal instanceof Error) {
      return StorageError.unavailable(`Cassandra refused the login while ${doing}: ${refusal.message}`, error);
    }
    return StorageError.unavailable(`no Cassandra host answered while ${doing}: ${error.message}`, error);
  }
  if (error instanceof errors.OperationTimedOutError) {
    return StorageError.unavailable(`Cassandra did not answer in time while ${doing}: ${error.message}`, error);
  }
  if (error instanceof errors.ResponseError) {
    // "Request is too big: length … exceeds maximum allowed length …", "Mutation of … is too large …".
    if (/\btoo (big|large)\b/i.test(error.message)) {
      return StorageError.tooLarge(`Cassandra refused the request as too large while ${doing}: ${error.message}`, error);
    }
    return StorageError.unavailable(`Cassandra ${describeCode(error.code)} while ${doing}: ${error.message}`, error);
  }
  // The driver's encoders throw these for values Cassandra cannot take; nothing was sent.
  if (error instanceof RangeError || error instanceof TypeError) {
    return StorageError.rejected(`the Cassandra driver cannot encode the request while ${doing}: ${error.message}`, error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return StorageError.unavailable(`Cassandra failed while ${doing}: ${message}`, error);
}

function describeCode(code: number): string {
  switch (code) {
    case codes.unavailableException:
      return "had too few replicas alive";
    case codes.overloaded:
      return "is overloaded";
    case codes.isBootstrapping:
      return "is bootstrapping";
    case codes.writeTimeout:
      // For a lightweight transaction the outcome is unknown: the entity reloads to find out.
      return "timed out writing (the write may or may not have happened)";
    case codes.readTimeout:
      return "timed out reading";
    case codes.readFailure:
    case codes.writeFailure:
      return "failed on a replica";
    case codes.unauthorized:
    case codes.badCredentials:
      return "refused our credentials";
    case codes.syntaxError:
    case codes.invalid:
    case codes.configError:
      return "rejected a statement (schema or configuration problem)";
    default:
      return `answered error 0x${code.toString(16)}`;
  }
}
