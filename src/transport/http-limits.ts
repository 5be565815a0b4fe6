/**
 * Connection limits of the HTTP transport, applied in one place (values: {@link HttpServerLimits}):
 * - the headers must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`, else Node
 *   answers 408 Request Timeout (RFC 9110 §15.5.9) and closes: a client that trickles its headers (slowloris)
 *   cannot hold a connection. Node checks every `connectionsCheckingInterval` (30 s by default, far coarser than
 *   the timeouts), so the interval is derived from them;
 * - an idle keep-alive connection is closed after `keepAliveTimeoutMs`;
 * - at most `maxConnections` connections are open. One more is answered 503 Service Unavailable with
 *   `Retry-After` (RFC 9110 §15.6.4, §10.2.3) and closed before any of its bytes is parsed; open ones keep
 *   working. (Node's own `maxConnections` drops the socket without a word.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpServerLimits } from '../config.js';
import type { Logger } from '../log.js';

/** Refusals are logged at most this often (with their count), so a flood cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
const REFUSAL_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: null,
  error: { code: -32000, message: 'Service Unavailable: too many open connections' },
});
const REFUSAL =
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n' +
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}\r\n\r\n${REFUSAL_BODY}`;

/** An HTTP server for `handler` with the timeouts and the connection cap of `limits`. */
export function createLimitedServer(
  limits: HttpServerLimits,
  logger: Logger,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  if (limits.maxConnections > 0) capConnections(server, limits.maxConnections, logger);
  return server;
}

/** Puts the cap in front of Node's own connection handling: a refused socket never reaches the HTTP parser. */
function capConnections(server: Server, maxConnections: number, logger: Logger): void {
  const serve = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  let open = 0;
  let refused = 0;
  let loggedAt = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= maxConnections) {
      socket.on('error', () => undefined); // the client may already be gone; nothing to do about it
      socket.end(REFUSAL, () => socket.destroy());
      refused++;
      const now = Date.now();
      if (now - loggedAt >= REFUSAL_LOG_INTERVAL_MS) {
        logger.warn({ refused, maxConnections }, 'connections refused: too many open connections');
        loggedAt = now;
        refused = 0;
      }
      return;
    }
    open++;
    socket.once('close', () => open--);
    for (const listener of serve) listener.call(server, socket);
  });
}
