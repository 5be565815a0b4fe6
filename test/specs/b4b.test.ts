/**
 * The B4B contract (specs/b4b.yaml): every tool of the Finizi B4B MCP server reference has its operation, the
 * spec keeps the team's conventions, and Prism serves it: first named examples on valid requests, 422 on invalid
 * input, 401 without a bearer token. Expected bodies are read from the spec itself, never copied here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPrism } from '../../src/sandbox/prism.js';

const specFile = fileURLToPath(new URL('../../specs/b4b.yaml', import.meta.url));

// ---- A minimal typed view of the spec -------------------------------------------------------------------------

interface Ref {
  $ref: string;
}
interface Example {
  summary?: string;
  value: unknown;
}
interface MediaType {
  schema?: Record<string, unknown>;
  examples?: Record<string, Example | Ref>;
}
interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaType>;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Record<string, unknown>;
  example?: unknown;
}
interface RequestBody {
  required?: boolean;
  content: Record<string, MediaType>;
  'x-codegen-request-body-name'?: string;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<Parameter | Ref>;
  requestBody?: RequestBody | Ref;
  responses: Record<string, Response | Ref>;
}
type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type PathItem = { parameters?: Array<Parameter | Ref> } & Partial<Record<Method, Operation>>;
interface Spec {
  security?: Array<Record<string, string[]>>;
  paths: Record<string, PathItem>;
  components: Record<string, Record<string, unknown>>;
}

const spec = parse(readFileSync(specFile, 'utf8')) as Spec;

function isRef(x: unknown): x is Ref {
  return typeof x === 'object' && x !== null && '$ref' in x;
}

/** Follows a local `#/components/...` reference (repeatedly). */
function resolve<T>(x: T | Ref): T {
  let current: unknown = x;
  while (isRef(current)) {
    const pointer = current.$ref;
    if (!pointer.startsWith('#/')) throw new Error(`non-local $ref ${pointer}`);
    current = pointer
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
    if (current === undefined) throw new Error(`unresolved $ref ${pointer}`);
  }
  return current as T;
}

interface Op {
  operationId: string;
  method: Method;
  path: string;
  operation: Operation;
  parameters: Parameter[];
  secured: boolean;
}

const METHODS: Method[] = ['get', 'put', 'post', 'delete', 'patch'];

const operations: Op[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  METHODS.flatMap((method) => {
    const operation = item[method];
    if (operation === undefined) return [];
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => resolve(p));
    const security = operation.security ?? spec.security ?? [];
    return [
      { operationId: operation.operationId ?? '', method, path, operation, parameters, secured: security.length > 0 },
    ];
  }),
);

function op(operationId: string): Op {
  const found = operations.find((o) => o.operationId === operationId);
  if (found === undefined) throw new Error(`no operation ${operationId} in specs/b4b.yaml`);
  return found;
}

/** The first named example of a media type (what Prism serves). */
function firstExample(media: MediaType | undefined): unknown {
  const first = Object.values(media?.examples ?? {})[0];
  if (first === undefined) throw new Error('media type without named examples');
  return resolve(first).value;
}

/** The response of an operation for one status, with its single media type. */
function response(o: Op, status: string): { contentType: string; media: MediaType } {
  const declared = o.operation.responses[status];
  if (declared === undefined) throw new Error(`${o.operationId} declares no ${status} response`);
  const [entry] = Object.entries(resolve(declared).content ?? {});
  if (entry === undefined) throw new Error(`${o.operationId} ${status} has no content`);
  return { contentType: entry[0], media: entry[1] };
}

function successStatus(o: Op): string {
  const status = Object.keys(o.operation.responses)
    .filter((s) => /^2\d\d$/.test(s))
    .sort()[0];
  if (status === undefined) throw new Error(`${o.operationId} has no 2xx response`);
  return status;
}

function requestBodyOf(o: Op): { contentType: string; media: MediaType; body: RequestBody } | undefined {
  if (o.operation.requestBody === undefined) return undefined;
  const body = resolve(o.operation.requestBody);
  const [entry] = Object.entries(body.content);
  if (entry === undefined) throw new Error(`${o.operationId} request body has no content`);
  return { contentType: entry[0], media: entry[1], body };
}

// ---- Building requests from the spec's own examples ------------------------------------------------------------

interface RequestChange {
  /** Path parameter values to use instead of the examples. */
  path?: Record<string, string>;
  /** Query parameters to set (string) or drop (null); others keep their examples. */
  query?: Record<string, string | null>;
  /** Turns the first request-body example into the body to send. */
  body?: (example: Record<string, unknown>) => unknown;
  /** Send `Authorization: Bearer x` on secured operations (default true). */
  auth?: boolean;
}

function buildRequest(baseUrl: string, o: Op, change: RequestChange = {}): { url: string; init: RequestInit } {
  let path = o.path;
  const query = new URLSearchParams();
  for (const p of o.parameters) {
    if (p.in === 'path') {
      const value = change.path?.[p.name] ?? String(p.example);
      path = path.replace(`{${p.name}}`, encodeURIComponent(value));
    } else if (p.in === 'query' && p.example !== undefined) {
      query.set(p.name, String(p.example));
    }
  }
  for (const [name, value] of Object.entries(change.query ?? {})) {
    if (value === null) query.delete(name);
    else query.set(name, value);
  }
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (o.secured && change.auth !== false) headers.authorization = 'Bearer x';
  const init: RequestInit = { method: o.method.toUpperCase(), headers };
  const rb = requestBodyOf(o);
  if (rb !== undefined) {
    const example = firstExample(rb.media);
    const body = change.body ? change.body(structuredClone(example) as Record<string, unknown>) : example;
    headers['content-type'] = rb.contentType;
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const search = query.toString();
  const url = new URL(path + (search === '' ? '' : `?${search}`), baseUrl).toString();
  return { url, init };
}

async function call(baseUrl: string, o: Op, change?: RequestChange) {
  const { url, init } = buildRequest(baseUrl, o, change);
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

// ---- The contract with the reference -----------------------------------------------------------------------------

/** Every tool of the Finizi B4B MCP server reference, and the operation that backs it. */
const referenceTools: Array<{ given: string; want: { method: Method; path: string; secured: boolean } }> = [
  { given: 'login', want: { method: 'post', path: '/api/v1/auth/login', secured: false } },
  { given: 'logout', want: { method: 'post', path: '/api/v1/auth/logout', secured: true } },
  { given: 'whoami', want: { method: 'get', path: '/api/v1/auth/me', secured: true } },
  { given: 'list_entities', want: { method: 'get', path: '/api/v1/entities', secured: true } },
  { given: 'get_entity', want: { method: 'get', path: '/api/v1/entities/{entity_id}', secured: true } },
  { given: 'create_entity', want: { method: 'post', path: '/api/v1/entities', secured: true } },
  { given: 'update_entity', want: { method: 'put', path: '/api/v1/entities/{entity_id}', secured: true } },
  { given: 'list_invoices', want: { method: 'get', path: '/api/v1/entities/{entity_id}/invoices', secured: true } },
  {
    given: 'get_invoice',
    want: { method: 'get', path: '/api/v1/entities/{entity_id}/invoices/{invoice_id}', secured: true },
  },
  {
    given: 'import_invoice_xml',
    want: { method: 'post', path: '/api/v1/entities/{entity_id}/invoices/import-xml', secured: true },
  },
  {
    given: 'get_invoice_statistics',
    want: { method: 'get', path: '/api/v1/entities/{entity_id}/invoices/statistics', secured: true },
  },
  { given: 'list_vendors', want: { method: 'get', path: '/api/v1/entities/{entity_id}/vendors', secured: true } },
  {
    given: 'get_vendor',
    want: { method: 'get', path: '/api/v1/entities/{entity_id}/vendors/{vendor_id}', secured: true },
  },
  { given: 'list_products', want: { method: 'get', path: '/api/v1/entities/{entity_id}/products', secured: true } },
  {
    given: 'search_similar_products',
    want: { method: 'get', path: '/api/v1/entities/{entity_id}/products/similar', secured: true },
  },
];

/** Parameter names the reference uses for each tool: all must exist (path, query or body field). */
const referenceParameters: Array<{ given: string; want: string[] }> = [
  { given: 'login', want: ['phone', 'password'] },
  { given: 'list_entities', want: ['page', 'per_page', 'search'] },
  { given: 'get_entity', want: ['entity_id'] },
  { given: 'create_entity', want: ['name', 'entity_type', 'tax_code', 'address', 'city', 'country'] },
  { given: 'update_entity', want: ['entity_id', 'name', 'address'] },
  { given: 'list_invoices', want: ['entity_id', 'date_from', 'date_to', 'status', 'page', 'per_page'] },
  { given: 'get_invoice', want: ['entity_id', 'invoice_id'] },
  { given: 'import_invoice_xml', want: ['entity_id', 'xml_content'] },
  { given: 'get_invoice_statistics', want: ['entity_id', 'date_from', 'date_to'] },
  { given: 'list_vendors', want: ['entity_id', 'search', 'page', 'per_page'] },
  { given: 'get_vendor', want: ['entity_id', 'vendor_id'] },
  { given: 'list_products', want: ['entity_id', 'category', 'search', 'page', 'per_page'] },
  { given: 'search_similar_products', want: ['entity_id', 'query', 'max_results'] },
];

function inputNames(o: Op): string[] {
  const names = o.parameters.map((p) => p.name);
  const rb = requestBodyOf(o);
  if (rb === undefined) return names;
  const bodyName = rb.body['x-codegen-request-body-name'];
  if (bodyName !== undefined) return [...names, bodyName];
  const schema = resolve((rb.media.schema ?? {}) as Record<string, unknown> | Ref) as {
    properties?: Record<string, unknown>;
  };
  return [...names, ...Object.keys(schema.properties ?? {})];
}

describe('specs/b4b.yaml: the contract', () => {
  it('has exactly the 15 reference tools as operations', () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(referenceTools.map((t) => t.given).sort());
  });

  it.each(referenceTools)('$given is $want.method $want.path', ({ given, want }) => {
    const o = op(given);
    expect({ method: o.method, path: o.path, secured: o.secured }).toEqual(want);
  });

  it.each(referenceParameters)('$given takes the reference parameters $want', ({ given, want }) => {
    expect(inputNames(op(given))).toEqual(expect.arrayContaining(want));
  });

  it.each(operations.map((o) => ({ given: o.operationId, o })))(
    '$given declares the shared error responses it can meet',
    ({ o }) => {
      const statuses = Object.keys(o.operation.responses);
      const want = new Set<string>();
      if (o.secured) for (const s of ['401', '429', '500', '503']) want.add(s);
      if (o.parameters.length > 0 || o.operation.requestBody !== undefined) for (const s of ['400', '422']) want.add(s);
      if (o.parameters.some((p) => p.in === 'path')) want.add('404');
      expect(statuses).toEqual(expect.arrayContaining([...want]));
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect(response(o, status).contentType).toBe('application/problem+json');
      }
      for (const status of ['429', '503'].filter((s) => statuses.includes(s))) {
        expect(Object.keys(resolve(o.operation.responses[status] as Response | Ref).headers ?? {})).toContain(
          'Retry-After',
        );
      }
    },
  );

  it('imports XML as the raw body named xml_content, at most 5 MiB', () => {
    const rb = requestBodyOf(op('import_invoice_xml'));
    expect(rb?.body['x-codegen-request-body-name']).toBe('xml_content');
    expect(rb?.contentType).toBe('application/xml');
    expect(rb?.media.schema).toMatchObject({ type: 'string', maxLength: 5242880 });
  });

  const listsAndItems: Array<{ given: { list: string; item: string }; want: string }> = [
    { given: { list: 'list_entities', item: 'get_entity' }, want: 'the get_entity example is in the list' },
    { given: { list: 'list_vendors', item: 'get_vendor' }, want: 'the get_vendor example is in the list' },
  ];
  it.each(listsAndItems)('$want', ({ given }) => {
    const list = firstExample(response(op(given.list), '200').media) as { items: unknown[] };
    expect(list.items.length).toBeGreaterThanOrEqual(2);
    expect(list.items).toContainEqual(firstExample(response(op(given.item), '200').media));
  });

  it('uses the same invoice and product ids across operations', () => {
    const invoices = firstExample(response(op('list_invoices'), '200').media) as { items: Array<{ id: string }> };
    const invoice = firstExample(response(op('get_invoice'), '200').media) as {
      id: string;
      entity_id: string;
      line_items: Array<{ product_id: string | null }>;
    };
    const imported = firstExample(response(op('import_invoice_xml'), '201').media) as { invoice_id: string };
    const products = firstExample(response(op('list_products'), '200').media) as { items: Array<{ id: string }> };
    const similar = firstExample(response(op('search_similar_products'), '200').media) as {
      items: Array<{ product: unknown }>;
    };
    const invoiceIds = invoices.items.map((i) => i.id);
    expect(invoiceIds).toContain(invoice.id);
    expect(invoiceIds).toContain(imported.invoice_id);
    expect(invoice.entity_id).toBe(op('get_entity').parameters[0]?.example);
    expect(products.items.map((p) => p.id)).toEqual(
      expect.arrayContaining(invoice.line_items.map((l) => l.product_id)),
    );
    for (const match of similar.items) expect(products.items).toContainEqual(match.product);
  });
});

// ---- Prism serves the contract -----------------------------------------------------------------------------------

/** Invalid inputs Prism must answer with 422 (request validation on). */
const invalidRequests: Array<{ given: string; operationId: string; change: RequestChange }> = [
  {
    given: 'entity_type not in the enum',
    operationId: 'create_entity',
    change: { body: (b) => ({ ...b, entity_type: 'LLC' }) },
  },
  {
    given: 'required name missing',
    operationId: 'create_entity',
    change: { body: ({ name: _name, ...rest }) => rest },
  },
  { given: 'malformed tax_code', operationId: 'create_entity', change: { body: (b) => ({ ...b, tax_code: '12-34' }) } },
  { given: 'empty update (minProperties 1)', operationId: 'update_entity', change: { body: () => ({}) } },
  {
    given: 'unknown update field (additionalProperties false)',
    operationId: 'update_entity',
    change: { body: (b) => ({ ...b, owner: 'someone' }) },
  },
  { given: 'required phone missing', operationId: 'login', change: { body: ({ phone: _phone, ...rest }) => rest } },
  { given: 'phone not E.164', operationId: 'login', change: { body: (b) => ({ ...b, phone: '0909495665' }) } },
  { given: 'malformed date_from', operationId: 'list_invoices', change: { query: { date_from: '01/15/2024' } } },
  { given: 'malformed date_to', operationId: 'get_invoice_statistics', change: { query: { date_to: '2024-1-5' } } },
  { given: 'status not in the enum', operationId: 'list_invoices', change: { query: { status: '9' } } },
  { given: 'per_page 0', operationId: 'list_entities', change: { query: { per_page: '0' } } },
  { given: 'per_page 101', operationId: 'list_vendors', change: { query: { per_page: '101' } } },
  { given: 'page 0', operationId: 'list_products', change: { query: { page: '0' } } },
  { given: 'required query missing', operationId: 'search_similar_products', change: { query: { query: null } } },
  { given: 'max_results 51', operationId: 'search_similar_products', change: { query: { max_results: '51' } } },
  { given: 'entity_id not a UUID', operationId: 'get_entity', change: { path: { entity_id: 'tech-corp' } } },
  { given: 'empty XML body', operationId: 'import_invoice_xml', change: { body: () => '' } },
];

describe('specs/b4b.yaml served by Prism', () => {
  let prism: Awaited<ReturnType<typeof startPrism>>;

  beforeAll(async () => {
    prism = await startPrism({ specFile });
  });

  afterAll(async () => {
    await prism?.stop();
  });

  it.each(operations.map((o) => ({ given: o.operationId, o })))(
    '$given answers with its first named example',
    async ({ o }) => {
      const status = successStatus(o);
      const res = await call(prism.url, o);
      expect(res.status).toBe(Number(status));
      expect(res.body).toEqual(firstExample(response(o, status).media));
    },
  );

  it.each(invalidRequests)('$operationId: $given → 422', async ({ operationId, change }) => {
    const o = op(operationId);
    const res = await call(prism.url, o, change);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(firstExample(response(o, '422').media));
  });

  it.each(operations.filter((o) => o.secured).map((o) => ({ given: o.operationId, o })))(
    '$given without Authorization → 401',
    async ({ o }) => {
      const res = await call(prism.url, o, { auth: false });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(res.body).toEqual(firstExample(response(o, '401').media));
    },
  );

  it('routes /invoices/statistics to get_invoice_statistics, not get_invoice', async () => {
    const stats = op('get_invoice_statistics');
    const res = await call(prism.url, stats, { query: { date_from: null, date_to: null } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(firstExample(response(stats, '200').media));
    expect(res.body).not.toEqual(firstExample(response(op('get_invoice'), '200').media));
  });
});
