import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** The first port of the kernel's ephemeral range (the source ports of outgoing connections), 32768 if unknown. */
function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 2_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether a loopback port can be listened on now. */
function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port for a server a test starts later (a runner process, a listener a lease turns on), possibly
 * more than once on the same port. It is picked below the kernel's ephemeral range: a port there is never handed to
 * an outgoing connection as its source port, as one from `listen(0)` may be in the meantime (a replica failed to
 * start with EADDRINUSE in CI). Above the range only if nothing below it is free.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralStart();
  for (let tries = 0; tries < 50; tries += 1) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (await canListen(port)) return port;
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
