import * as grpc from "@grpc/grpc-js";

/**
 * A failed shopping cart call, shown as its gRPC status and details
 * (`UNAVAILABLE: …`): the stack is replaced by that line, so a REPL or a log
 * prints what the server said, not where in the client it surfaced.
 */
export class ShoppingCartCallError extends Error {
  declare readonly method: string;
  declare readonly code: grpc.status;

  constructor(method: string, code: grpc.status, details: string) {
    super(`${grpc.status[code] ?? `code ${code}`}: ${details}`);
    // Not enumerable, so util.inspect shows the message line alone.
    Object.defineProperty(this, "name", { value: "ShoppingCartCallError", enumerable: false });
    Object.defineProperty(this, "method", { value: method, enumerable: false });
    Object.defineProperty(this, "code", { value: code, enumerable: false });
    Object.defineProperty(this, "stack", { value: this.message, enumerable: false, writable: true });
  }

  static from(method: string, error: grpc.ServiceError): ShoppingCartCallError {
    return new ShoppingCartCallError(method, error.code, error.details || error.message);
  }
}
