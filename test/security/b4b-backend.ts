/**
 * A small stateful stub of the Finizi B4B API for the security tests, on 127.0.0.1 with an OS-chosen port.
 *
 * Unlike the Prism mock (static examples), it issues a distinct JWT-looking token per login, knows which user owns
 * each token, and answers every data operation with data naming that user, so a test can see whose token reached
 * it. It is a configuration of the project's one fake backend (testkit/fault-backend.ts): every request is recorded
 * (method, path, headers, body, bearer token, `x-request-id`), and replies scripted per `METHOD path` (statuses,
 * connection resets, `reply.after(gate)`) come ahead of the B4B behaviour, which is the backend's fallback.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { reply, startFaultBackend, type RecordedRequest, type Reply } from '../../testkit/fault-backend.js';

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

/** A running stub. */
export interface B4bStub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  addUser(user: StubUser): void;
  /** Adds a fresh OWNER (unique phone, random password) named after `tag`, `extra` on top, and returns it. */
  newUser(tag: string, extra?: Partial<StubUser>): StubUser;
  /** Every token issued so far, in order. */
  readonly issued: ReadonlyArray<{ token: string; phone: string }>;
  /** Tokens issued to a phone number. */
  tokensOf(phone: string): string[];
  /** The user owning a token (revoked ones included), if the stub issued it. */
  ownerOf(token: string): StubUser | undefined;
  /** Makes the stub answer 401 to this token from now on (as after a backend-side expiry). */
  revoke(token: string): void;
  /** Scripts replies for `method path` (exact path, no query); the last one repeats. */
  script(method: string, path: string, ...replies: Reply[]): void;
  clearScripts(): void;
  /** The recorded requests with this method and path. */
  requestsTo(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

const ENTITY_PATH = /^\/api\/v1\/entities\/([^/]+)$/;
const IMPORT_PATH = /^\/api\/v1\/entities\/([^/]+)\/invoices\/import-xml$/;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function problem(status: number, title: string, detail: string): Reply {
  return reply.problem(status, { type: 'about:blank', title, detail });
}

/** Starts the stub. */
export async function startB4bStub(): Promise<B4bStub> {
  const users = new Map<string, StubUser>();
  const owners = new Map<string, StubUser>();
  const revoked = new Set<string>();
  const issued: Array<{ token: string; phone: string }> = [];
  let created = 0;

  const issue = (user: StubUser): string => {
    const now = Math.floor(Date.now() / 1000);
    const token = [
      b64url({ alg: 'HS256', typ: 'JWT' }),
      b64url({
        sub: user.id,
        phone: user.phone,
        iat: now,
        exp: now + (user.expiresIn ?? 3600),
        jti: randomBytes(8).toString('hex'),
      }),
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

  /** The B4B behaviour (the fault backend's fallback). */
  const answer = (rec: RecordedRequest): Reply => {
    const json = reply.json;
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
      return json(200, {
        access_token: token,
        token_type: 'bearer',
        expires_in: expiresIn ?? 3600,
        user: { ...profile, created_at: '2024-01-02T03:15:00Z' },
      });
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
      return json(200, {
        items: [entityOf(user, '550e8400-e29b-41d4-a716-446655440000')],
        total: 1,
        page: 1,
        per_page: 20,
        pages: 1,
      });
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

  const backend = await startFaultBackend({ fallback: answer });

  return {
    url: backend.url,
    requests: backend.requests,
    issued,
    addUser(user) {
      users.set(user.phone, user);
    },
    newUser(tag, extra = {}) {
      const n = created++;
      const user: StubUser = {
        id: randomUUID(),
        phone: `+849${String(10_000_000 + n)}`,
        password: `Pw!${tag}-${randomBytes(9).toString('base64url')}`,
        email: `${tag}.${n}@b4b.example`,
        full_name: `User ${tag} ${n}`,
        role: 'OWNER',
        ...extra,
      };
      users.set(user.phone, user);
      return user;
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
    script: (method, path, ...replies) => backend.script(`${method.toUpperCase()} ${path}`, ...replies),
    clearScripts: () => backend.clearScripts(),
    requestsTo: (method, path) => backend.requestsTo(`${method.toUpperCase()} ${path}`),
    close: () => backend.close(),
  };
}

/** `serve b4b` over HTTP on a free port against `stub`, with `settings` (environment keys) on top. */
export function serveB4bOverHttp(
  stub: B4bStub,
  settings: Record<string, string>,
  logger: Logger,
): Promise<RunningServers> {
  return startServers(
    ['b4b'],
    { transport: 'http', port: '0' },
    new Settings({ B4B_BACKEND_URL: stub.url, ...settings }),
    logger,
  );
}
