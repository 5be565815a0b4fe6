/**
 * The floor: the same backend request a tool call makes, sent straight to the stub backend with an undici
 * keep-alive pool and no MCP in between. Whatever a server adds on top of this is the server's cost.
 */
import { Pool } from 'undici';

/** One backend request, as the servers under test would send it. */
export interface BackendRequest {
  method: string;
  /** Path and query, including the spec's base path. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A keep-alive pool of `connections` sockets to the stub backend. */
export class FloorClient {
  private readonly pool: Pool;

  constructor(origin: string, connections: number, timeoutMs = 5000) {
    this.pool = new Pool(origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** Sends one request; resolves with the status and body text. */
  async send(request: BackendRequest): Promise<{ status: number; body: string }> {
    const response = await this.pool.request({
      method: request.method as 'GET',
      path: request.path,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  /** Closes the pool's sockets. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
