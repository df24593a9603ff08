import type protobuf from "protobufjs";
import {
  startInstrumentedUserFunction,
  type EntityBehaviour,
  type InstrumentedUserFunction,
  type Subject,
  type UserFunctionFaults,
} from "../instrumented-user-function/index.js";
import { fileDescriptorOf } from "./file-descriptor-of.js";

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

/** What a raw subject is made of: its messages (a protobufjs root), its service, its entity. */
export interface RawSubjectSource {
  readonly name: Subject["name"];
  readonly entity: Subject["entity"];
  readonly createBehaviour: () => EntityBehaviour;
  readonly root: protobuf.Root;
  /** The .proto file (as in proto/) whose messages and service ready()'s descriptor holds. */
  readonly file: string;
  readonly serviceName: string;
  readonly persistenceId: string;
}

/** The Subject serving `source`: its descriptor built from the root, importing what a backend knows. */
export function rawSubjectOf(source: RawSubjectSource): Subject {
  return {
    name: source.name,
    entity: source.entity,
    createBehaviour: source.createBehaviour,
    spec: {
      proto: fileDescriptorOf(source.root, source.file, ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]),
      serviceName: source.serviceName,
      persistenceId: source.persistenceId,
    },
    defect: undefined,
    inputTypes: inputTypesOf(source.root, source.serviceName),
  };
}

/** Each method's input type (full name, no dot) of a service defined in `root`. */
function inputTypesOf(root: protobuf.Root, serviceName: string): ReadonlyMap<string, string> {
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
