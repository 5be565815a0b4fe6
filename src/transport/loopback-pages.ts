/**
 * Pages of URL-mode elicitation for a stdio server (MCP 2025-11-25 and 2026-07-28, Client / Elicitation): stdio has
 * no HTTP listener, so the first tool call of a client that declares URL mode starts one on 127.0.0.1 with an
 * OS-chosen port. It serves only the one-time pages (`/<backend>/elicitation/<id>`, pages.ts) — no MCP endpoint —
 * checks `Host` against its own address (DNS rebinding), and stops with the stdio server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHostMatcher } from './http-guards.js';
import { NodeRequest } from './http.js';
import type { HttpAnswer } from './http/exchange.js';
import { PageRoutes, type PageState } from './http/pages.js';
import type { ToolService } from '../core/tool-service-api.js';

/** The page listener of one stdio server, started on first use. */
export class LoopbackPages {
  readonly #routes: PageRoutes;
  #server: Server | undefined;
  #base: Promise<string> | undefined;

  /** `state`: the stdio server's own stores (its pages and the session their tools write). */
  constructor(service: ToolService, state: PageState) {
    this.#routes = new PageRoutes([service], undefined, state);
  }

  /** Where pages are served (`http://127.0.0.1:<port>`), starting the listener if need be. */
  base(): Promise<string> {
    this.#base ??= this.#start();
    return this.#base;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #start(): Promise<string> {
    let hostAllowed: (host: string | undefined) => boolean = () => false;
    const server = createServer((req, res) => {
      const request = new NodeRequest(req);
      const send = (answer: HttpAnswer): void => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      };
      if (!hostAllowed(request.header('host'))) return send({ status: 403, headers: {} });
      const answer = this.#routes.serve(request);
      if (answer === undefined) send({ status: 404, headers: {} });
      else void answer.then(send, () => send({ status: 500, headers: {} }));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const port = (server.address() as AddressInfo).port;
    hostAllowed = createHostMatcher([`127.0.0.1:${port}`, `localhost:${port}`]);
    return `http://127.0.0.1:${port}`;
  }
}
