/**
 * A TCP port free right now: the OS picks one when asked to listen on port 0 (POSIX `bind(2)`; Node's
 * `server.listen(0)`). Used where a port must be known before its server starts (Prism's mock, an HTTP server whose
 * OAuth resource URLs name the port). Another process may take it before it is used: callers retry or accept that.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

/** Asks the OS for a port that is free on `host` right now. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('findFreePort: no TCP address');
  return address.port;
}
