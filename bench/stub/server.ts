/**
 * The stub backend: the project's one fake backend (testkit/fault-backend.ts, not recording) configured to answer
 * every operation of a spec with the first named example of its success response, routed by method + path
 * template. It costs almost nothing per request (answers are pre-serialized), so the figures measure the MCP
 * servers, not the backend.
 *
 * Two twists make correctness checkable under load:
 * - the resource id a request asks for is echoed into the answer (the example's field named like the last
 *   path parameter, else its `id`), so a client can tell whether it received the data it asked for;
 * - a login operation (POST whose answer carries a token) issues a distinct token per call, and when the spec
 *   has one the stub refuses calls that do not carry an issued bearer token, so a server that forgets
 *   session credentials is caught as errors;
 * - each token remembers the session tag its login carried (spec.ts, "Session tags"); a call whose requested
 *   id carries another session's tag is answered with data for an id nobody asked for, so a server that
 *   sends one session's request with another session's credentials is caught as a mismatch.
 */
import { reply, startFaultBackend, type RecordedRequest, type Reply } from '../../testkit/fault-backend.js';
import {
  basePath,
  idTag,
  listOperations,
  loginBodyTag,
  variantOf,
  type OpenApiDoc,
  type SpecOperation,
} from '../spec.js';

/** Counters the stub keeps; read through `GET /__bench/stats`. */
interface StubStats {
  requests: number;
  byOperation: Record<string, number>;
  logins: number;
  unauthorized: number;
  /** Calls whose token belonged to another session than the requested id (answered with foreign data). */
  sessionMismatches: number;
  notFound: number;
  tokenRequests: number;
}

interface Route {
  key: string;
  method: string;
  regex: RegExp;
  names: string[];
  op: SpecOperation;
  status: number;
  contentType: string;
  /** Pre-serialized answer; when `echoParam` is set the requested value goes between the two parts. */
  parts: [string, string] | [string];
  echoParam?: string;
  login?: { tokenPath: string[]; exampleToken: string };
  secured: boolean;
}

const SENTINEL = '\u0001bench-echo\u0001';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Path (keys) to the first string field named like a token, at most three levels deep. */
function findTokenPath(value: unknown, depth = 0): string[] | undefined {
  if (!isRecord(value) || depth > 2) return undefined;
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string' && /token/i.test(key) && !/type/i.test(key)) return [key];
  }
  for (const [key, field] of Object.entries(value)) {
    const inner = findTokenPath(field, depth + 1);
    if (inner !== undefined) return [key, ...inner];
  }
  return undefined;
}

function getAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function setAt(value: unknown, path: readonly string[], field: unknown): void {
  let current = value;
  for (const key of path.slice(0, -1)) current = isRecord(current) ? current[key] : undefined;
  const last = path[path.length - 1];
  if (isRecord(current) && last !== undefined) current[last] = field;
}

/** The token in a login answer (the first string field named like a token), if there is one. */
export function tokenFromLoginAnswer(answer: unknown): string | undefined {
  const path = findTokenPath(answer);
  const token = path === undefined ? undefined : getAt(answer, path);
  return typeof token === 'string' ? token : undefined;
}

/** Whether an operation is the spec's login: a POST whose name says so and whose answer carries a token. */
export function isLoginOperation(op: SpecOperation): boolean {
  const name = `${op.operationId ?? ''} ${op.path}`;
  return (
    op.method === 'post' &&
    /log_?in|sign_?in|auth/i.test(name) &&
    !/logout|refresh/i.test(name) &&
    findTokenPath(op.success.example) !== undefined
  );
}

/** The field of an operation's example that echoes the requested resource id, if any. */
export function echoField(op: SpecOperation): string | undefined {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const last = pathParams[pathParams.length - 1];
  const example = op.success.example;
  if (last === undefined || !isRecord(example)) return undefined;
  if (typeof example[last.name] === 'string') return last.name;
  if (typeof example.id === 'string') return 'id';
  return undefined;
}

function buildRoute(op: SpecOperation): Route {
  const names: string[] = [];
  const pattern = op.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{([^}]+)\}$/.exec(part);
      if (param?.[1] !== undefined) {
        names.push(param[1]);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const route: Route = {
    key: `${op.method.toUpperCase()} ${op.path}`,
    method: op.method.toUpperCase(),
    regex: new RegExp(`^${pattern}$`),
    names,
    op,
    status: op.success.status,
    contentType: op.success.contentType ?? 'application/json',
    parts: [op.success.example === undefined ? '' : JSON.stringify(op.success.example)],
    secured: op.security.some((requirement) => Object.keys(requirement).length > 0),
  };
  if (op.success.contentType !== undefined && !op.success.contentType.includes('json')) {
    route.parts = [typeof op.success.example === 'string' ? op.success.example : ''];
  }
  const field = echoField(op);
  if (field !== undefined && route.parts[0] !== '') {
    const copy = structuredClone(op.success.example) as Record<string, unknown>;
    copy[field] = SENTINEL;
    const split = JSON.stringify(copy).split(JSON.stringify(SENTINEL));
    if (split.length === 2) {
      route.parts = [split[0] ?? '', split[1] ?? ''];
      route.echoParam = names[names.length - 1];
    }
  }
  if (isLoginOperation(op)) {
    const tokenPath = findTokenPath(op.success.example) ?? [];
    const exampleToken = getAt(op.success.example, tokenPath);
    if (typeof exampleToken === 'string') route.login = { tokenPath, exampleToken };
  }
  return route;
}

/** Options of {@link startStub}. */
export interface StubOptions {
  /** Port to listen on (0 = any free port). */
  port?: number;
}

/** A running stub backend. */
export interface RunningStub {
  port: number;
  stats: StubStats;
  /** Whether calls must carry a token issued by the spec's login operation. */
  strictTokens: boolean;
  close(): Promise<void>;
}

/** Starts a stub backend for one spec on 127.0.0.1. */
export async function startStub(doc: OpenApiDoc, options: StubOptions = {}): Promise<RunningStub> {
  const routes = listOperations(doc).map(buildRoute);
  const byMethod = new Map<string, Route[]>();
  for (const route of routes) {
    const list = byMethod.get(route.method) ?? [];
    list.push(route);
    byMethod.set(route.method, list);
  }
  // Literal segments first, so `/invoices/summary` wins over `/invoices/{id}`.
  for (const list of byMethod.values()) list.sort((a, b) => a.names.length - b.names.length);
  const prefix = basePath(doc);
  const strictTokens = routes.some((route) => route.login !== undefined);
  // Issued token → session tag of its login.
  const issued = new Map<string, number>();
  let loginCount = 0;
  const stats: StubStats = {
    requests: 0,
    byOperation: {},
    logins: 0,
    unauthorized: 0,
    sessionMismatches: 0,
    notFound: 0,
    tokenRequests: 0,
  };

  const problem = (status: number, title: string): Reply =>
    reply.text(status, 'application/problem+json', JSON.stringify({ type: 'about:blank', title, status }));

  const answer = (request: RecordedRequest): Reply => {
    stats.requests += 1;
    let path = request.path;
    if (path === '/__bench/stats') return reply.text(200, 'application/json', JSON.stringify(stats));
    if (prefix !== '' && path.startsWith(prefix)) path = path.slice(prefix.length);
    const method = request.method;
    let match: RegExpExecArray | null = null;
    let route: Route | undefined;
    for (const candidate of byMethod.get(method) ?? []) {
      match = candidate.regex.exec(path);
      if (match !== null) {
        route = candidate;
        break;
      }
    }
    if (route === undefined || match === null) {
      if (method === 'POST' && /\/token$/.test(path)) {
        // An OAuth client-credentials token endpoint, for servers that fetch their own service token.
        stats.tokenRequests += 1;
        return reply.text(
          200,
          'application/json',
          JSON.stringify({ access_token: 'stub-service-token', token_type: 'Bearer', expires_in: 3600 }),
        );
      }
      stats.notFound += 1;
      return problem(404, `no operation for ${method} ${path}`);
    }
    stats.byOperation[route.key] = (stats.byOperation[route.key] ?? 0) + 1;
    if (route.login !== undefined) {
      loginCount += 1;
      stats.logins += 1;
      const token = variantOf(route.login.exampleToken, loginCount);
      let tag = 0;
      try {
        tag = loginBodyTag(JSON.parse(request.body));
      } catch {
        // Not JSON: a login without a session tag.
      }
      issued.set(token, tag);
      const body = structuredClone(route.op.success.example);
      setAt(body, route.login.tokenPath, token);
      return reply.text(route.status, route.contentType, JSON.stringify(body));
    }
    let sessionTag = 0;
    if (strictTokens && route.secured) {
      const tag = request.token === undefined ? undefined : issued.get(request.token);
      if (tag === undefined) {
        stats.unauthorized += 1;
        return problem(401, 'missing or unknown bearer token');
      }
      sessionTag = tag;
    }
    if (route.status === 204 || route.parts[0] === '') return reply.status(route.status);
    if (route.parts.length === 2) {
      const raw = match[route.names.length] ?? '';
      let value = raw;
      try {
        value = decodeURIComponent(raw);
      } catch {
        // Keep the raw segment: a server that sends a malformed escape sees it echoed back.
      }
      if (sessionTag !== 0 && idTag(value) !== sessionTag) {
        // Another session's credentials: answer with an id of the same shape that no client asks for.
        stats.sessionMismatches += 1;
        value = `${value.slice(0, -12)}ffffffffffff`;
      }
      return reply.text(route.status, route.contentType, route.parts[0] + JSON.stringify(value) + route.parts[1]);
    }
    return reply.text(route.status, route.contentType, route.parts[0]);
  };

  // Clients keep connections alive for the whole run: never let the stub be the one that closes them.
  const backend = await startFaultBackend({
    fallback: answer,
    record: false,
    port: options.port ?? 0,
    keepAliveMs: 120_000,
  });
  return { port: backend.port, stats, strictTokens, close: () => backend.close() };
}
