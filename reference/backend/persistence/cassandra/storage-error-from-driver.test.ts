import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errors, types } from "cassandra-driver";
import { StorageError } from "../storage-error.js";
import { storageErrorFromDriver } from "./storage-error-from-driver.js";

describe("storageErrorFromDriver", () => {
  it("keeps a StorageError as it is (a conflict stays a conflict)", () => {
    const conflict = StorageError.conflict("taken");
    assert.equal(storageErrorFromDriver(conflict, "appending"), conflict);
  });

  it("makes unreachable hosts and client timeouts unavailable, saying what was being done", () => {
    const noHost = storageErrorFromDriver(new errors.NoHostAvailableError({}, "All host(s) tried for query failed"), "appending");
    assert.equal(noHost.kind, "unavailable");
    assert.match(noHost.message, /no Cassandra host answered while appending/);
    assert.ok(noHost.cause instanceof errors.NoHostAvailableError);
    const timedOut = storageErrorFromDriver(new errors.OperationTimedOutError("timed out", "10.0.0.1:9042"), "replaying");
    assert.equal(timedOut.kind, "unavailable");
    assert.match(timedOut.message, /did not answer in time while replaying/);
  });

  it("says plainly that the login was refused when a host refused the login", () => {
    const refused = new errors.AuthenticationError("Provided username cassandra and/or password are incorrect");
    const noHost = storageErrorFromDriver(
      new errors.NoHostAvailableError({ "10.0.0.1:9042": refused }, "All host(s) tried for query failed"),
      "connecting to 10.0.0.1",
    );
    assert.equal(noHost.kind, "unavailable");
    assert.equal(
      noHost.message,
      "Cassandra refused the login while connecting to 10.0.0.1: Provided username cassandra and/or password are incorrect",
    );
    assert.ok(noHost.cause instanceof errors.NoHostAvailableError);
  });

  it("makes server errors unavailable, and says a timed-out write may have happened", () => {
    const writeTimeout = storageErrorFromDriver(
      new errors.ResponseError(types.responseErrorCodes.writeTimeout, "CAS timeout"),
      "committing",
    );
    assert.equal(writeTimeout.kind, "unavailable");
    assert.match(writeTimeout.message, /may or may not have happened/);
    const tooFew = storageErrorFromDriver(new errors.ResponseError(types.responseErrorCodes.unavailableException, "1 required"), "x");
    assert.match(tooFew.message, /too few replicas/);
    const invalid = storageErrorFromDriver(new errors.ResponseError(types.responseErrorCodes.invalid, "unconfigured table"), "x");
    assert.equal(invalid.kind, "unavailable");
    assert.match(invalid.message, /schema or configuration/);
  });

  it("makes a request Cassandra refuses for its size too-large, not unavailable", () => {
    const tooBig = storageErrorFromDriver(
      new errors.ResponseError(
        types.responseErrorCodes.protocolError,
        "Request is too big: length 16777300 exceeds maximum allowed length 16777216.",
      ),
      "appending",
    );
    assert.equal(tooBig.kind, "too-large");
    const mutation = storageErrorFromDriver(
      new errors.ResponseError(types.responseErrorCodes.invalid, "Mutation of 17.000MiB is too large for the maximum size of 16.000MiB"),
      "appending",
    );
    assert.equal(mutation.kind, "too-large");
  });

  it("makes a value the driver cannot encode rejected, not unavailable", () => {
    const range = storageErrorFromDriver(
      new RangeError('The value of "value" is out of range. It must be >= 0 and <= 65535. Received 70000'),
      "appending",
    );
    assert.equal(range.kind, "rejected");
    assert.match(range.message, /cannot encode the request while appending/);
  });

  it("makes anything else unavailable too", () => {
    const other = storageErrorFromDriver("socket hang up", "reading");
    assert.equal(other.kind, "unavailable");
    assert.match(other.message, /socket hang up/);
  });
});
