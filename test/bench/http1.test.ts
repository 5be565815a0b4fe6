/**
 * The lean HTTP/1.1 client: framing by Content-Length and chunked encoding, SSE bodies and open streams,
 * keep-alive reuse, and a transparent reconnect when the server closed an idle connection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http1Connection } from '../../bench/clients/http1.js';
import { SseParser, sseDataPayloads } from '../../bench/clients/jsonrpc.js';

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/length') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('héllo ');
        setTimeout(() => res.end('wörld'), 5);
      } else if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: message\ndata: {"id":1}\n\n');
        res.end('data: {"id":2}\n\n');
      } else if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        let n = 0;
        const timer = setInterval(() => {
          n += 1;
          res.write(`data: {"n":${n}}\n\n`);
          if (n === 3) {
            clearInterval(timer);
            res.end();
          }
        }, 5);
      } else if (req.url === '/empty') {
        res.writeHead(202);
        res.end();
      } else {
        res.writeHead(404, { 'content-length': 0 });
        res.end();
      }
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const post = (path: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json`;

describe('Http1Connection', () => {
  it('reads Content-Length and chunked bodies and reuses the connection', async () => {
    const before = connections;
    const conn = new Http1Connection('127.0.0.1', port);
    const a = await conn.request(post('/length'), '{"ü":1}');
    expect(a.status).toBe(200);
    expect(a.body).toBe('{"ü":1}');
    const b = await conn.request(post('/chunked'), 'x');
    expect(b.body).toBe('héllo wörld');
    const c = await conn.request(post('/empty'), 'x');
    expect(c.status).toBe(202);
    expect(c.body).toBe('');
    expect(connections - before).toBe(1);
    conn.close();
  });

  it('collects an SSE body whole', async () => {
    const conn = new Http1Connection('127.0.0.1', port);
    const response = await conn.request(post('/sse'), 'x');
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(sseDataPayloads(response.body)).toEqual(['{"id":1}', '{"id":2}']);
    conn.close();
  });

  it('streams an open event stream piece by piece', async () => {
    const conn = new Http1Connection('127.0.0.1', port);
    const events: string[] = [];
    const parser = new SseParser((data) => events.push(data));
    const ended = new Promise<void>((resolve) => {
      void conn.stream(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${port}`, (text) => parser.push(text), resolve);
    });
    await ended;
    expect(events).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    conn.close();
  });

  it('reconnects once when the server closed the idle connection', async () => {
    const conn = new Http1Connection('127.0.0.1', port);
    await conn.request(post('/length'), '1');
    server.closeIdleConnections(); // What a server's keep-alive timeout does to an idle client.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await conn.request(post('/length'), '2');
    expect(again.body).toBe('2');
    expect(conn.connects).toBe(2);
    conn.close();
  });
});
