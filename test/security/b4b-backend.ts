/**
 * A small stateful stub of the Finizi B4B API for the security tests, on 127.0.0.1 with an OS-chosen port.
 *
 * Unlike the Prism mock (static examples), it issues a distinct JWT-looking token per login, knows which user owns
 * each token, and answers every data operation with data naming that user, so a test can see whose token reached
 * it. Every request is recorded (method, path, headers, body, bearer token, `x-request-id`). Replies can be scripted
 * per `METHOD path` (statuses, connection resets) ahead of the default behaviour.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A B4B user the stub accepts. */
export interface StubUser {
  id: string;
  phone: string;
  password: string;
  email: string;
  full_name: string;
  role: 'OWNER' | 'ACCOUNTANT' | 'VIEWER';
  /** `expires_in` of this user's logins (seconds); 3600 by default. */
  expiresIn?: number;
}

/** One request as the stub received it. */
export interface StubRequest {
  method: string;
  path: string;
  query: string;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The bearer token sent, if any. */
  token: string | undefined;
  /** The `x-request-id` header, if any. */
  requestId: string | undefined;
}

/**
 * A scripted reply: a status (with optional JSON body / headers), a connection reset, the default behaviour, or the
 * default behaviour once `gate` settles (to hold a request in flight).
 */
export type StubReply =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'default' }
  | { kind: 'after'; gate: Promise<void> };

export const stubReply = {
  status(status: number, body?: unknown, headers?: Record<string, string>): StubReply {
    return { kind: 'status', status, ...(body === undefined ? {} : { body }), ...(headers === undefined ? {} : { headers }) };
  },
  reset(): StubReply {
    return { kind: 'reset' };
  },
  default(): StubReply {
    return { kind: 'default' };
  },
  after(gate: Promise<void>): StubReply {
    return { kind: 'after', gate };
  },
};

/** A running stub. */
export interface B4bStub {
  readonly url: string;
  readonly requests: StubRequest[];
  addUser(user: StubUser): void;
  /** Every token issued so far, in order. */
  readonly issued: ReadonlyArray<{ token: string; phone: string }>;
  /** Tokens issued to a phone number. */
  tokensOf(phone: string): string[];
  /** The user owning a token (revoked ones included), if the stub issued it. */
  ownerOf(token: string): StubUser | undefined;
  /** Makes the stub answer 401 to this token from now on (as after a backend-side expiry). */
  revoke(token: string): void;
  /** Scripts replies for `method path` (exact path, no query); the last one repeats. */
  script(method: string, path: string, ...replies: StubReply[]): void;
  clearScripts(): void;
  /** The recorded requests with this method and path. */
  requestsTo(method: string, path: string): StubRequest[];
  close(): Promise<void>;
}

const ENTITY_PATH = /^\/api\/v1\/entities\/([^/]+)$/;
const IMPORT_PATH = /^\/api\/v1\/entities\/([^/]+)\/invoices\/import-xml$/;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function problem(status: number, title: string, detail: string): { status: number; body: unknown; type: string } {
  return { status, type: 'application/problem+json', body: { type: 'about:blank', title, status, detail } };
}

/** Starts the stub. */
export async function startB4bStub(): Promise<B4bStub> {
  const users = new Map<string, StubUser>();
  const owners = new Map<string, StubUser>();
  const revoked = new Set<string>();
  const issued: Array<{ token: string; phone: string }> = [];
  const requests: StubRequest[] = [];
  const scripts = new Map<string, StubReply[]>();
  const sockets = new Set<Socket>();

  const issue = (user: StubUser): string => {
    const now = Math.floor(Date.now() / 1000);
    const token = [
      b64url({ alg: 'HS256', typ: 'JWT' }),
      b64url({ sub: user.id, phone: user.phone, iat: now, exp: now + (user.expiresIn ?? 3600), jti: randomBytes(8).toString('hex') }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    owners.set(token, user);
    issued.push({ token, phone: user.phone });
    return token;
  };

  const entityOf = (user: StubUser, id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    name: `Entity of ${user.email}`,
    entity_type: 'COMPANY',
    tax_code: '0312345678',
    address: `Address of ${user.full_name}`,
    city: 'Hồ Chí Minh',
    country: 'VN',
    email: user.email,
    phone: null,
    created_at: '2024-01-02T03:20:00Z',
    updated_at: '2024-04-11T07:45:00Z',
    ...overrides,
  });

  /** The default behaviour: status, content type and body. */
  const answer = (rec: StubRequest): { status: number; type: string; body: unknown } => {
    const json = (status: number, body: unknown): { status: number; type: string; body: unknown } => ({ status, type: 'application/json', body });
    if (rec.method === 'POST' && rec.path === '/api/v1/auth/login') {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rec.body) as Record<string, unknown>;
      } catch {
        return problem(400, 'Bad Request', 'body is not JSON');
      }
      const user = typeof body['phone'] === 'string' ? users.get(body['phone']) : undefined;
      if (user === undefined || body['password'] !== user.password) {
        return problem(401, 'Unauthorized', 'Invalid phone number or password');
      }
      const token = issue(user);
      const { password: _password, expiresIn, ...profile } = user;
      return json(200, { access_token: token, token_type: 'bearer', expires_in: expiresIn ?? 3600, user: { ...profile, created_at: '2024-01-02T03:15:00Z' } });
    }
    const user = rec.token === undefined || revoked.has(rec.token) ? undefined : owners.get(rec.token);
    if (user === undefined) return problem(401, 'Unauthorized', 'Token is missing, invalid or expired');
    if (rec.method === 'POST' && rec.path === '/api/v1/auth/logout') {
      revoked.add(rec.token as string);
      return json(200, { success: true, message: 'Successfully logged out' });
    }
    if (rec.method === 'GET' && rec.path === '/api/v1/auth/me') {
      const { password: _password, expiresIn: _expiresIn, ...profile } = user;
      return json(200, { user: { ...profile, created_at: '2024-01-02T03:15:00Z' } });
    }
    if (rec.method === 'GET' && rec.path === '/api/v1/entities') {
      return json(200, { items: [entityOf(user, '550e8400-e29b-41d4-a716-446655440000')], total: 1, page: 1, per_page: 20, pages: 1 });
    }
    if (rec.method === 'POST' && rec.path === '/api/v1/entities') {
      const body = JSON.parse(rec.body) as Record<string, unknown>;
      return json(201, entityOf(user, '7c9e6679-7425-40de-944b-e07fc1f90ae7', body));
    }
    const entity = ENTITY_PATH.exec(rec.path);
    if (entity !== null && rec.method === 'GET') return json(200, entityOf(user, entity[1] as string));
    if (entity !== null && rec.method === 'PUT') {
      return json(200, entityOf(user, entity[1] as string, JSON.parse(rec.body) as Record<string, unknown>));
    }
    const imported = IMPORT_PATH.exec(rec.path);
    if (imported !== null && rec.method === 'POST') {
      return json(201, {
        invoice_id: '0f5b7c4d-3e6a-4b8c-9d9f-4a0e2c3b5d7f',
        entity_id: imported[1],
        invoice_number: `INV imported by ${user.email}`,
        issue_date: '2024-01-15',
        total_amount: { amount: '1500.00', currency: 'VND' },
        status: 0,
        status_name: 'PENDING',
        warnings: [],
      });
    }
    return problem(404, 'Not Found', `stub: no route for ${rec.method} ${rec.path}`);
  };

  const send = (res: ServerResponse, status: number, type: string, body: unknown, headers: Record<string, string> = {}): void => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(text === '' ? {} : { 'content-type': type }), 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const authorization = req.headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer (.+)$/.exec(authorization)?.[1] : undefined;
    const requestId = req.headers['x-request-id'];
    const rec: StubRequest = {
      method: req.method ?? 'GET',
      path: q === -1 ? raw : raw.slice(0, q),
      query: q === -1 ? '' : raw.slice(q + 1),
      headers: { ...req.headers },
      body,
      token: bearer,
      requestId: typeof requestId === 'string' ? requestId : undefined,
    };
    requests.push(rec);
    const queue = scripts.get(`${rec.method} ${rec.path}`);
    const scripted = queue === undefined || queue.length === 0 ? undefined : queue.length > 1 ? queue.shift() : queue[0];
    if (scripted?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (scripted?.kind === 'status') {
      send(res, scripted.status, 'application/json', scripted.body, scripted.headers);
      return;
    }
    if (scripted?.kind === 'after') {
      void scripted.gate.then(() => {
        if (res.destroyed) return;
        const out = answer(rec);
        send(res, out.status, out.type, out.body);
      });
      return;
    }
    const out = answer(rec);
    send(res, out.status, out.type, out.body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issued,
    addUser(user) {
      users.set(user.phone, user);
    },
    tokensOf(phone) {
      return issued.filter((i) => i.phone === phone).map((i) => i.token);
    },
    ownerOf(token) {
      return owners.get(token);
    },
    revoke(token) {
      revoked.add(token);
    },
    script(method, path, ...replies) {
      scripts.set(`${method.toUpperCase()} ${path}`, [...replies]);
    },
    clearScripts() {
      scripts.clear();
    },
    requestsTo(method, path) {
      return requests.filter((r) => r.method === method.toUpperCase() && r.path === path);
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
