/**
 * What every baseline server does the same way: read a request body, listen and print `listening <port>` for the
 * driver, stop on SIGTERM or SIGINT. Runs on Node, Bun and Deno.
 */
import type { IncomingMessage, Server } from "node:http";

/** The whole body of a request. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Listens on 127.0.0.1:`port` (0: any free port), prints `listening <port>` once bound, runs `stop` on a signal. */
export function serve(server: Server, port: number, stop: () => void): void {
  server.listen(port, "127.0.0.1", () => {
    const addr = server.address();
    process.stdout.write(`listening ${typeof addr === "object" && addr ? addr.port : 0}\n`);
  });
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
