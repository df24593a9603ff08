import type protobuf from "protobufjs";
import {
  startInstrumentedUserFunction,
  type InstrumentedUserFunction,
  type Subject,
  type UserFunctionFaults,
} from "../instrumented-user-function/index.js";

export interface RawSubjectOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly snapshotEvery?: number;
  /** Defects of the whole user function (the self-tests' broken user functions). */
  readonly faults?: UserFunctionFaults;
}

/**
 * Serves a subject of the self-tests on the kit's one raw-protocol user function (the instrumented
 * one backend mode plays), as a careful support library would: it refuses a Command for another
 * entity or with a command id that does not increase (B8), unless its faults say otherwise.
 */
export function startRawSubject(subject: Subject, options: RawSubjectOptions = {}): Promise<InstrumentedUserFunction> {
  return startInstrumentedUserFunction({
    subject,
    rejectsForeignCommands: true,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
}

/** Each method's input type (full name, no dot) of a service defined in `root`. */
export function inputTypesOf(root: protobuf.Root, serviceName: string): ReadonlyMap<string, string> {
  const service = root.lookupService(serviceName);
  return new Map(
    service.methodsArray.map((method) => {
      method.resolve();
      const input = method.resolvedRequestType;
      if (input === null) throw new Error(`${serviceName}.${method.name}: unresolved input type ${method.requestType}`);
      return [method.name, input.fullName.replace(/^\./, "")] as const;
    }),
  );
}
