/**
 * The FinOpps contract (specs/finopps.yaml) as Prism serves it: every operation answers with its first named
 * example, which conforms to its schema (ajv, JSON Schema 2020-12, formats on); invalid requests get the
 * spec's 422 problem; requests without a bearer token get its 401 problem. Plus the team's spec conventions
 * that lint cannot check.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrism, type PrismServer } from '../../src/sandbox/prism.js';
import { itAnswers } from '../helpers/truth-table.js';

type Node = Record<string, unknown>;
type AddFormats = typeof import('ajv-formats').default;
// ajv-formats is CommonJS: under NodeNext its default import is the module object or the function itself.
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as AddFormats;

const SPEC_FILE = fileURLToPath(new URL('../../specs/finopps.yaml', import.meta.url));
const spec = parse(readFileSync(SPEC_FILE, 'utf8')) as Node;
/** The seven tools of the FinOpps MCP connector (reference document); one operation each. */
const CONNECTOR_TOOLS = [
  'list_invoices',
  'get_invoice',
  'get_financial_summary',
  'list_expenses',
  'payments_report',
  'search_customers',
  'get_business',
];
const AUTH = { authorization: 'Bearer sandbox-test-token' };

/** Follows a local `$ref` ("#/components/...") through the parsed document. */
function deref(node: unknown): Node {
  let current = node as Node;
  while (typeof current['$ref'] === 'string') {
    const ref = current['$ref'];
    current = ref
      .slice(2)
      .split('/')
      .reduce<Node>((at, key) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Node, spec);
    if (current === undefined) throw new Error(`unresolved ${ref}`);
  }
  return current;
}

interface Operation {
  operationId: string;
  method: string;
  path: string;
  op: Node;
  parameters: Node[];
}

const operations: Operation[] = Object.entries(spec['paths'] as Record<string, Node>).flatMap(([path, item]) =>
  ['get', 'put', 'post', 'delete', 'patch']
    .filter((method) => item[method] !== undefined)
    .map((method) => {
      const op = item[method] as Node;
      const parameters = [...((item['parameters'] as unknown[]) ?? []), ...((op['parameters'] as unknown[]) ?? [])].map(
        deref,
      );
      return { operationId: op['operationId'] as string, method, path, op, parameters };
    }),
);
const byId = new Map(operations.map((o) => [o.operationId, o]));

function operation(id: string): Operation {
  const found = byId.get(id);
  if (found === undefined) throw new Error(`no operation ${id}`);
  return found;
}

/** The first named example of a response, as Prism serves it. */
function firstExample(o: Operation, status: string, mediaType: string): unknown {
  const response = deref((o.op['responses'] as Node)[status]);
  const examples = ((response['content'] as Node)[mediaType] as Node)['examples'] as Node;
  const [first] = Object.values(examples);
  return deref(first)['value'];
}

/** A request URL from the parameters' examples (every path parameter, every required query one), with overrides. */
function exampleUrl(o: Operation, overrides: Record<string, string | undefined> = {}): string {
  let path = o.path;
  const query = new URLSearchParams();
  for (const p of o.parameters) {
    const name = p['name'] as string;
    const needed = p['in'] === 'path' || p['required'] === true;
    const value = name in overrides ? overrides[name] : needed ? String(p['example']) : undefined;
    if (value === undefined) continue;
    if (p['in'] === 'path') path = path.replace(`{${name}}`, encodeURIComponent(value));
    else query.set(name, value);
  }
  const qs = query.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

/** ajv over the spec's own components: strict mode, as codegen compiles them, with the formats we allow. */
function schemaValidator(): (ref: string, data: unknown) => string[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword('components'); // the document's container of schemas, not a validation keyword
  ajv.addSchema(
    { $id: 'https://finmcp.test/finopps.json', components: spec['components'] as Node },
    'https://finmcp.test/finopps.json',
  );
  return (ref, data) => {
    const validate = ajv.getSchema(`https://finmcp.test/finopps.json${ref}`);
    if (validate === undefined) throw new Error(`no schema ${ref}`);
    return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
}

describe('specs/finopps.yaml conventions', () => {
  it('has exactly one operation per connector tool, named after it', () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual([...CONNECTOR_TOOLS].sort());
  });

  it.each(operations)('$operationId declares every shared error response and a scope', (o) => {
    const declared = Object.keys(o.op['responses'] as Node).sort();
    expect(declared).toEqual(['200', '400', '401', '403', '404', '422', '429', '500', '503']);
    const security = o.op['security'] as Array<Record<string, string[]>>;
    expect(security).toHaveLength(1);
    expect(security[0]?.['serviceOAuth']?.length).toBeGreaterThan(0);
    expect(o.path.startsWith('/organizations/{organizationId}/')).toBe(true);
    expect(o.parameters.filter((p) => p['name'] === 'organizationId')).toHaveLength(1);
  });

  it('describes every schema and every property, and never uses `nullable` or a float for money', () => {
    const problems: string[] = [];
    const walk = (schema: Node, where: string): void => {
      if ('nullable' in schema) problems.push(`${where}: nullable`);
      if (schema['type'] === 'number') problems.push(`${where}: number`);
      for (const [name, prop] of Object.entries((schema['properties'] as Record<string, Node>) ?? {})) {
        if (typeof prop['description'] !== 'string' && typeof deref(prop)['description'] !== 'string') {
          problems.push(`${where}.${name}: no description`);
        }
        walk(prop, `${where}.${name}`);
      }
      for (const key of ['items', 'oneOf', 'anyOf', 'allOf']) {
        const sub = schema[key];
        for (const s of Array.isArray(sub) ? sub : sub === undefined ? [] : [sub]) walk(s as Node, `${where}.${key}`);
      }
    };
    const schemas = (spec['components'] as Node)['schemas'] as Record<string, Node>;
    for (const [name, schema] of Object.entries(schemas)) {
      if (typeof schema['description'] !== 'string') problems.push(`${name}: no description`);
      walk(schema, name);
    }
    expect(problems).toEqual([]);
    expect(schemas['Money']).toMatchObject({ additionalProperties: false, required: ['amount', 'currency'] });
  });
});

describe('specs/finopps.yaml Money schema', () => {
  const validate = schemaValidator();
  itAnswers(
    'accepts',
    (given: Record<string, unknown>) => validate('#/components/schemas/Money', given).length === 0,
    [
      { amount: '1250.00', currency: 'USD' },
      { amount: '-12.5', currency: 'CAD' },
      { amount: '0.1234', currency: 'EUR' },
    ],
    [
      { amount: 1250, currency: 'USD' },
      { amount: '1,250.00', currency: 'USD' },
      { amount: '1.23456', currency: 'USD' },
      { amount: '10.00', currency: 'usd' },
      { amount: '10.00' },
      { amount: '10.00', currency: 'USD', cents: 1000 },
    ],
  );
});

describe('specs/finopps.yaml served by Prism', () => {
  let prism: PrismServer;
  const validate = schemaValidator();

  beforeAll(async () => {
    prism = await startPrism({ specFile: SPEC_FILE });
  });
  afterAll(async () => {
    await prism?.stop();
  });

  it.each(operations)('$operationId answers 200 with its first example, which matches its schema', async (o) => {
    const res = await fetch(`${prism.url}${exampleUrl(o)}`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('sl-violations')).toBeNull();
    const body: unknown = await res.json();
    expect(body).toEqual(firstExample(o, '200', 'application/json'));
    const response = deref((o.op['responses'] as Node)['200']);
    const schemaRef = (((response['content'] as Node)['application/json'] as Node)['schema'] as Node)['$ref'] as string;
    expect(validate(schemaRef, body)).toEqual([]);
  });

  it.each([
    { given: 'an unknown invoice status', tool: 'list_invoices', params: { status: 'unpaid' }, field: 'status' },
    { given: 'limit below 1', tool: 'list_invoices', params: { limit: '0' }, field: 'limit' },
    { given: 'limit above 100', tool: 'list_expenses', params: { limit: '101' }, field: 'limit' },
    {
      given: 'a US-style startDate',
      tool: 'get_financial_summary',
      params: { startDate: '03/01/2025' },
      field: 'startDate',
    },
    { given: 'an impossible endDate', tool: 'list_expenses', params: { endDate: '2025-02-30' }, field: 'endDate' },
    { given: 'no startDate', tool: 'payments_report', params: { startDate: undefined }, field: 'startDate' },
    { given: 'no query', tool: 'search_customers', params: { query: undefined }, field: 'query' },
    { given: 'an empty query', tool: 'search_customers', params: { query: '' }, field: 'query' },
    {
      given: 'neither an id nor an invoice number',
      tool: 'get_invoice',
      params: { invoiceId: 'invoice 1429' },
      field: 'invoiceId',
    },
    {
      given: 'a non-UUID organisation',
      tool: 'get_business',
      params: { organizationId: 'acme' },
      field: 'organizationId',
    },
  ])('$tool given $given answers 422 naming $field', async ({ tool, params, field }) => {
    const o = operation(tool);
    const res = await fetch(`${prism.url}${exampleUrl(o, params)}`, { headers: AUTH });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // Prism reports what failed; it lower-cases parameter names.
    expect((res.headers.get('sl-violations') ?? '').toLowerCase()).toContain(field.toLowerCase());
    expect(await res.json()).toEqual(firstExample(o, '422', 'application/problem+json'));
  });

  it.each(operations)('$operationId answers 401 with a challenge when no bearer token is sent', async (o) => {
    const res = await fetch(`${prism.url}${exampleUrl(o)}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await res.json()).toEqual(firstExample(o, '401', 'application/problem+json'));
  });
});
