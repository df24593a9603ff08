import { types } from "cassandra-driver";
import type { CassandraConsistency, CassandraSerialConsistency } from "./cassandra-settings.js";

const codes: Record<CassandraConsistency | CassandraSerialConsistency, number> = {
  ANY: types.consistencies.any,
  ONE: types.consistencies.one,
  TWO: types.consistencies.two,
  THREE: types.consistencies.three,
  QUORUM: types.consistencies.quorum,
  ALL: types.consistencies.all,
  LOCAL_QUORUM: types.consistencies.localQuorum,
  EACH_QUORUM: types.consistencies.eachQuorum,
  LOCAL_ONE: types.consistencies.localOne,
  SERIAL: types.consistencies.serial,
  LOCAL_SERIAL: types.consistencies.localSerial,
};

/** The driver's code for a consistency level named in the settings. */
export function consistencyCode(level: CassandraConsistency | CassandraSerialConsistency): number {
  return codes[level];
}
