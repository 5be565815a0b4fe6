/**
 * Reading a POST body (src/transport/http-body.ts) on a real node:http server fed by raw sockets: a body that came
 * with its headers is taken at once (no promise), one that arrives later is awaited, and both refuse a body over the
 * limit with BodyTooLargeError.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBody } from '../../src/transport/http-body.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** What readBody gave for the first request: whether it answered at once, and the bytes or the error. */
interface Read {
  immediate: boolean;
  body?: string;
  error?: unknown;
}

/** A server that reads each request's body one turn after the request event (as the pipeline does after admission). */
async function serverReading(limit: number): Promise<{ port: number; reads: Promise<Read>; requested: Promise<void> }> {
  let onRead: (read: Read) => void = () => undefined;
  let onRequest: () => void = () => undefined;
  const reads = new Promise<Read>((resolve) => (onRead = resolve));
  const requested = new Promise<void>((resolve) => (onRequest = resolve));
  const server = createServer((req: IncomingMessage, res) => {
    onRequest();
    void Promise.resolve().then(async () => {
      let read: Read;
      try {
        const result = readBody(req, limit);
        const immediate = !(result instanceof Promise);
        read = { immediate, body: (immediate ? result : await result).toString('utf8') };
      } catch (error) {
        read = { immediate: true, error };
      }
      onRead(read);
      res.writeHead(read.error === undefined ? 200 : 413, { connection: 'close' }).end();
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, reads, requested };
}

async function socketTo(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

const head = (length: number): string =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('readBody', () => {
  it('takes a body that came with its headers at once, without a promise', async () => {
    const { port, reads } = await serverReading(1000);
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping","text":"héllo"}';
    (await socketTo(port)).write(head(Buffer.byteLength(body)) + body);
    expect(await reads).toEqual({ immediate: true, body });
  });

  it('awaits a body that arrives after its headers', async () => {
    const { port, reads, requested } = await serverReading(1000);
    const body = '{"jsonrpc":"2.0","id":2,"method":"ping"}';
    const socket = await socketTo(port);
    socket.write(head(body.length) + body.slice(0, 10));
    await requested;
    socket.write(body.slice(10));
    expect(await reads).toEqual({ immediate: false, body });
  });

  it('refuses a body over the limit, whole or in pieces', async () => {
    const whole = await serverReading(16);
    (await socketTo(whole.port)).write(head(40) + 'x'.repeat(40));
    expect((await whole.reads).error).toBeInstanceOf(BodyTooLargeError);

    const pieces = await serverReading(16);
    const socket = await socketTo(pieces.port);
    socket.write(head(40) + 'x'.repeat(8));
    await pieces.requested;
    socket.write('x'.repeat(32));
    expect((await pieces.reads).error).toBeInstanceOf(BodyTooLargeError);
  });
});
