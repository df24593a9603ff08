import * as grpc from "@grpc/grpc-js";

const identity = (b: Buffer) => b;

/** grpc.health.v1 Check of the whole server (tests): the raw status number (1 SERVING, 2 NOT_SERVING, 0 UNKNOWN). */
export async function healthStatus(address: string, timeoutMs = 5_000): Promise<number> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const reply = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        identity,
        identity,
        Buffer.alloc(0),
        { deadline: Date.now() + timeoutMs },
        (e, r) => (e ? reject(e) : resolve(r ?? Buffer.alloc(0))),
      ),
    );
    // HealthCheckResponse { status = 1 (varint) }; absent means UNKNOWN (0).
    return reply.length >= 2 && reply[0] === 0x08 ? reply[1]! : 0;
  } finally {
    client.close();
  }
}
