/**
 * The bench's baseline: a raw grpc-js server with the shopping cart's service and message types
 * (com.example.shoppingcart.ShoppingCart: AddItem, RemoveItem, GetCart) and no logic: every call is
 * answered with the default (empty) reply, google.protobuf.Empty or an empty Cart, both zero bytes
 * on the wire. Also a server stream (`/bench.Baseline/Stream`, request JSON {"count","size"}) that
 * writes `count` messages of `size` bytes as fast as HTTP/2 flow control lets it: the baseline of
 * replay. Prints `echo listening on <port>` once bound (port 0: any free port).
 *
 *   node --import tsx ci/bench/echo-server.ts [port]
 */
import { Server, ServerCredentials, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from "@grpc/grpc-js";

const raw = (buffer: Buffer): Buffer => buffer;
const empty = Buffer.alloc(0);
const server = new Server();
const unary = (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, empty);
for (const method of ["AddItem", "RemoveItem", "GetCart"]) {
  server.register(`/com.example.shoppingcart.ShoppingCart/${method}`, unary, raw, raw, "unary");
}
server.register(
  "/bench.Baseline/Stream",
  (call: ServerWritableStream<Buffer, Buffer>) => {
    const { count, size } = JSON.parse(call.request.toString("utf8")) as { count: number; size: number };
    const message = Buffer.alloc(size, 7);
    let sent = 0;
    const write = () => {
      while (sent < count) {
        sent++;
        if (!call.write(message)) return void call.once("drain", write);
      }
      call.end();
    };
    write();
  },
  raw,
  raw,
  "serverStream",
);
server.bindAsync(`127.0.0.1:${process.argv[2] ?? "0"}`, ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`echo cannot listen: ${error.message}`);
    process.exit(1);
  }
  console.log(`echo listening on ${port}`);
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
