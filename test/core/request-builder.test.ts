import { describe, expect, it } from 'vitest';
import { compileRequestPlan, RequestBuildError, type BuiltRequest } from '../../src/core/request-builder.js';
import type { BodyBinding, HttpMethod, ParameterBinding, ToolDescriptor } from '../../contract/descriptor.js';
import { propertiesBody } from '../helpers/descriptors.js';

function descriptor(
  method: HttpMethod,
  path: string,
  parameters: ParameterBinding[],
  body?: BodyBinding,
  outputContentType?: string,
): ToolDescriptor {
  return {
    name: 't',
    title: 't',
    description: 't',
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
    annotations: {},
    operation: { method, path, deprecated: false, tags: [], security: [] },
    parameters,
    ...(body !== undefined ? { body } : {}),
    output: { status: '200', ...(outputContentType !== undefined ? { contentType: outputContentType } : {}) },
  };
}

function p(
  where: ParameterBinding['in'],
  name: string,
  style: ParameterBinding['style'],
  explode: boolean,
  extra: Partial<ParameterBinding> = {},
): ParameterBinding {
  return { property: name, in: where, name, style, explode, ...extra };
}

interface Case {
  given: string;
  d: ToolDescriptor;
  args: Record<string, unknown>;
  want: Partial<BuiltRequest>;
}

const cases: Case[] = [
  // Path styles (OpenAPI 3.1 §4.8.12.4 table).
  {
    given: 'simple path, percent-encoded',
    d: descriptor('get', '/orgs/{orgId}/invoices/{id}', [
      p('path', 'orgId', 'simple', false),
      p('path', 'id', 'simple', false),
    ]),
    args: { orgId: 'a/b c', id: 5 },
    want: { method: 'GET', path: '/orgs/a%2Fb%20c/invoices/5', query: '' },
  },
  {
    given: 'simple path array',
    d: descriptor('get', '/x/{ids}', [p('path', 'ids', 'simple', false)]),
    args: { ids: [3, 4, 5] },
    want: { path: '/x/3,4,5' },
  },
  {
    given: 'simple path object explode',
    d: descriptor('get', '/x/{c}', [p('path', 'c', 'simple', true)]),
    args: { c: { R: 100, G: 200 } },
    want: { path: '/x/R=100,G=200' },
  },
  {
    given: 'label path primitive and exploded array',
    d: descriptor('get', '/x/{a}/{b}', [p('path', 'a', 'label', false), p('path', 'b', 'label', true)]),
    args: { a: 'v', b: [3, 4] },
    want: { path: '/x/.v/.3.4' },
  },
  {
    given: 'matrix path primitive and array',
    d: descriptor('get', '/x/{a}/{b}', [p('path', 'a', 'matrix', false), p('path', 'b', 'matrix', true)]),
    args: { a: 'v w', b: [3, 4] },
    want: { path: '/x/;a=v%20w/;b=3;b=4' },
  },
  {
    given: 'path parameter whose spec name differs from the property',
    d: descriptor('get', '/x/{id}', [{ property: 'path_id', in: 'path', name: 'id', style: 'simple', explode: false }]),
    args: { path_id: 'z' },
    want: { path: '/x/z' },
  },
  // Query styles.
  {
    given: 'form explode array, booleans, undefined and null omitted',
    d: descriptor(
      'get',
      '/q',
      ['status', 'paid', 'skip', 'nil'].map((name) => p('query', name, 'form', true)),
    ),
    args: { status: ['draft', 'sent'], paid: false, skip: undefined, nil: null },
    want: { query: 'status=draft&status=sent&paid=false' },
  },
  {
    given: 'form no-explode array',
    d: descriptor('get', '/q', [p('query', 'ids', 'form', false)]),
    args: { ids: [1, 2, 3] },
    want: { query: 'ids=1,2,3' },
  },
  {
    given: 'spaceDelimited and pipeDelimited',
    d: descriptor('get', '/q', [p('query', 's', 'spaceDelimited', false), p('query', 'p', 'pipeDelimited', false)]),
    args: { s: ['a', 'b'], p: ['c', 'd'] },
    want: { query: 's=a%20b&p=c|d' },
  },
  {
    given: 'deepObject',
    d: descriptor('get', '/q', [p('query', 'filter', 'deepObject', true)]),
    args: { filter: { min: 1, name: 'a&b' } },
    want: { query: 'filter[min]=1&filter[name]=a%26b' },
  },
  {
    given: 'form object exploded and not',
    d: descriptor('get', '/q', [p('query', 'a', 'form', true), p('query', 'b', 'form', false)]),
    args: { a: { x: 1, y: 2 }, b: { x: 1, y: 2 } },
    want: { query: 'x=1&y=2&b=x,1,y,2' },
  },
  {
    given: 'reserved characters encoded unless allowReserved',
    d: descriptor('get', '/q', [p('query', 'a', 'form', true), p('query', 'b', 'form', true, { allowReserved: true })]),
    args: { a: 'x/y?z', b: 'x/y?z' },
    want: { query: 'a=x%2Fy%3Fz&b=x/y?z' },
  },
  {
    given: 'empty array omitted, unicode encoded',
    d: descriptor('get', '/q', [p('query', 'e', 'form', true), p('query', 'u', 'form', true)]),
    args: { e: [], u: 'café €' },
    want: { query: 'u=caf%C3%A9%20%E2%82%AC' },
  },
  // Headers and cookies.
  {
    given: 'header simple, array and lower-cased name; cookies',
    d: descriptor('get', '/h', [
      ...['X-Tenant', 'X-List'].map((name) => p('header', name, 'simple', false)),
      p('cookie', 'lang', 'form', true),
      p('cookie', 'ids', 'form', false),
    ]),
    args: { 'X-Tenant': 'a b', 'X-List': [1, 2], lang: 'fr', ids: [1, 2] },
    want: { headers: { 'x-tenant': 'a b', 'x-list': '1,2', cookie: 'lang=fr; ids=1,2' } },
  },
  // Bodies.
  {
    given: 'properties body with renamed fields, undefined omitted, null kept',
    d: descriptor(
      'post',
      '/b',
      [],
      propertiesBody('application/json', true, { customerId: 'customer_id', note: 'note', due: 'due' }),
    ),
    args: { customerId: 7, note: undefined, due: null },
    want: {
      method: 'POST',
      body: '{"customer_id":7,"due":null}',
      contentType: 'application/json',
      headers: { 'content-type': 'application/json' },
    },
  },
  {
    given: 'optional properties body with nothing set is left out',
    d: descriptor('patch', '/b', [], propertiesBody('application/json', false, { a: 'a' })),
    args: {},
    want: { method: 'PATCH', headers: {} },
  },
  {
    given: 'required properties body with nothing set is {}',
    d: descriptor('post', '/b', [], propertiesBody('application/json', true, {})),
    args: {},
    want: { body: '{}' },
  },
  {
    given: 'form-urlencoded properties body',
    d: descriptor(
      'post',
      '/b',
      [],
      propertiesBody('application/x-www-form-urlencoded', true, { grantType: 'grant_type', scope: 'scope' }),
    ),
    args: { grantType: 'client_credentials', scope: ['a', 'b'] },
    want: { body: 'grant_type=client_credentials&scope=a&scope=b' },
  },
  {
    given: 'value body as JSON (array)',
    d: descriptor('put', '/b', [], {
      kind: 'value',
      contentType: 'application/json',
      required: true,
      property: 'items',
    }),
    args: { items: [1, 'x'] },
    want: { body: '[1,"x"]', contentType: 'application/json' },
  },
  {
    given: 'value body as JSON (string is quoted)',
    d: descriptor('put', '/b', [], {
      kind: 'value',
      contentType: 'application/merge-patch+json',
      required: true,
      property: 'v',
    }),
    args: { v: 'hi' },
    want: { body: '"hi"' },
  },
  {
    given: 'value body as XML text, as is',
    d: descriptor('post', '/b', [], { kind: 'value', contentType: 'application/xml', required: true, property: 'xml' }),
    args: { xml: '<invoice id="1"/>' },
    want: { body: '<invoice id="1"/>', headers: { 'content-type': 'application/xml' } },
  },
  {
    given: 'accept header from the output media type',
    d: descriptor('get', '/a', [], undefined, 'application/xml'),
    args: {},
    want: { headers: { accept: 'application/xml, */*;q=0.1' } },
  },
];

describe('compileRequestPlan', () => {
  it.each(cases)('$given', ({ d, args, want }) => {
    const built = compileRequestPlan(d).build(args);
    expect(built).toMatchObject(want);
    if (want.headers !== undefined) expect(built.headers).toEqual(want.headers);
    if (!('body' in want)) expect(built.body).toBeUndefined();
  });

  it('returns fresh headers on every call', () => {
    const plan = compileRequestPlan(descriptor('get', '/a', [p('header', 'x-a', 'simple', false)]));
    const first = plan.build({ 'x-a': '1' });
    first.headers['authorization'] = 'Bearer secret';
    expect(plan.build({ 'x-a': '2' }).headers).toEqual({ 'x-a': '2' });
  });

  const refusals = [
    {
      given: 'missing path parameter',
      d: descriptor('get', '/x/{id}', [p('path', 'id', 'simple', false)]),
      args: {},
      want: 'id: is required',
    },
    {
      given: 'header with a line break',
      d: descriptor('get', '/x', [p('header', 'X-A', 'simple', false)]),
      args: { 'X-A': 'a\r\nInjected: 1' },
      want: 'X-A: must not contain line breaks',
    },
    {
      given: 'nested object in a deepObject query',
      d: descriptor('get', '/x', [p('query', 'f', 'deepObject', true)]),
      args: { f: { a: { b: 1 } } },
      want: 'f: nested arrays or objects cannot be sent in the query',
    },
    {
      given: 'missing required value body',
      d: descriptor('post', '/x', [], { kind: 'value', contentType: 'text/plain', required: true, property: 'text' }),
      args: {},
      want: 'text: is required',
    },
  ];
  it.each(refusals)('refuses $given with a user-safe message', ({ d, args, want }) => {
    const plan = compileRequestPlan(d);
    expect(() => plan.build(args)).toThrow(RequestBuildError);
    expect(() => plan.build(args)).toThrow(want);
  });
});
