/**
 * A reverse proxy that adds `Authorization: Bearer <token>` to every request, so that the conformance suite — whose
 * `server` command sends no credentials and cannot run an OAuth flow — reaches a backend that accepts only access
 * tokens from its authorization server (FinOpps). The token is a real one, obtained by the test from the sandbox
 * authorization server; nothing about the backend's auth is relaxed.
 *
 * Otherwise transparent: bodies and answers (SSE streams too) pass through as they are. A `Host` (and `Origin`)
 * naming the proxy itself is rewritten to name the target, as if the client had called it directly; any other
 * `Host` or `Origin` is passed on unchanged, so the suite's DNS-rebinding checks still reach the server's guards.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy: its URL (the target's path on the proxy's address) and how to stop it. */
export interface TokenProxy {
  url: string;
  close(): Promise<void>;
}

/** Headers that belong to one connection and are not forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/** Starts a proxy on an ephemeral port of 127.0.0.1 in front of `target` (an endpoint URL). */
export async function startTokenProxy(target: string, token: string): Promise<TokenProxy> {
  const to = new URL(target);
  let own = '';
  const server: Server = createServer((req, res) => forward(req, res, to, own, token));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  own = `127.0.0.1:${port}`;
  return {
    url: `http://${own}${to.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, to: URL, own: string, token: string): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  if (headers['host'] === own) headers['host'] = to.host;
  if (headers['origin'] === `http://${own}`) headers['origin'] = to.origin;
  headers['authorization'] = `Bearer ${token}`;
  const upstream = request(
    { host: to.hostname, port: to.port, method: req.method, path: req.url, headers },
    (answer: IncomingMessage) => {
      const back: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) back[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
    },
  );
  // The client went away (the suite stops reading once it has its answer): so does the upstream request.
  res.on('close', () => upstream.destroy());
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}
