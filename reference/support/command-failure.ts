/**
 * A command refused on purpose (`context.fail(…)`): the library answers a
 * protocol `Failure` with exactly this description, discards the command's
 * events and keeps the stream open. The backend turns it into gRPC UNKNOWN.
 */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";

  constructor(readonly description: string) {
    super(description);
  }
}
