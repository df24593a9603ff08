import { readyPath } from "../../../reference/protocol/index.js";
import { grpcCodeName } from "../../kit/transcript/transcript.js";
import { PreflightError } from "../../kit/run/preflight-error.js";
import { createUserFunctionDriver } from "../driver/user-function-driver.js";
import { subjectNames, subjectServices, subjectServing, type SubjectName } from "../../kit/subjects/subject-name.js";

export interface PreflightOptions {
  readonly target: string;
  /** As given on the command line; undefined means "infer it from the service `ready()` names". */
  readonly subject: SubjectName | undefined;
  /** Bound on the one `ready()` call (the run's `--timeout`). */
  readonly timeoutMs: number;
}

/**
 * One `ready()` call before any scenario. Returns the subject to run. Only what makes every scenario
 * meaningless stops the run here; a spec that is merely wrong (an empty persistence id, a service name
 * no subject has, a descriptor that does not parse) is left to the discovery scenarios, which judge it.
 */
export async function preflightUserFunction(options: PreflightOptions): Promise<SubjectName> {
  const driver = createUserFunctionDriver({ target: options.target, timeoutMs: options.timeoutMs });
  try {
    const ready = await driver.ready();
    if (!ready.ok) throw new PreflightError(describeReadyFailure(options, ready.code, ready.details));
    const serves = subjectServing(ready.spec.serviceName);
    if (options.subject === undefined) {
      if (serves) return serves;
      throw new PreflightError(
        `the user function at ${options.target} serves ${JSON.stringify(ready.spec.serviceName)}, which is no subject of the kit ` +
          `(${subjectNames.map((s) => `${s}: ${subjectServices[s]}`).join("; ")}); implement one of them, or name one with --subject to have its discovery judged`,
      );
    }
    if (serves !== undefined && serves !== options.subject) {
      throw new PreflightError(
        `--subject ${options.subject} expects a user function serving ${subjectServices[options.subject]}, but the one at ${options.target} serves ${ready.spec.serviceName} (that is --subject ${serves})`,
      );
    }
    return options.subject;
  } finally {
    driver.close();
  }
}

const readyMethod = readyPath.slice(1);

function describeReadyFailure(options: PreflightOptions, code: number, details: string): string {
  const call = `${readyMethod} at ${options.target}`;
  switch (code) {
    case 14: // UNAVAILABLE: nothing listens, or the connection failed
      return `cannot reach a user function at ${options.target}: ${call} failed UNAVAILABLE (${details}); is it running, on that port?`;
    case 12: // UNIMPLEMENTED: a gRPC server, but not a user function
      return `${options.target} answers gRPC but does not serve ${readyMethod} (UNIMPLEMENTED): it is not a user function (a backend's port?)`;
    case 4: // DEADLINE_EXCEEDED
      return `no answer from ${call} within ${options.timeoutMs} ms (--timeout)`;
    default:
      return `${call} failed ${grpcCodeName(code)} (${details}): nothing can be judged before ready() answers`;
  }
}
