/**
 * Idempotency keys and writes whose outcome is unknown (issue 21): codegen turns an `Idempotency-Key` header
 * parameter, or the operation extension `x-finmcp-idempotency-header`, into the descriptor's
 * `operation.idempotencyHeader` (not a tool input); the tool service sends the call's nonce in it. A write that got
 * no answer after it may have been sent says "Outcome unknown" and reaches the backend once: never retried.
 * The backend is the project's fault backend (testkit/fault-backend.ts): it counts requests and drops connections.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedBackend, PrecompiledValidator, ToolDescriptor } from '../../contract/descriptor.js';
import { buildDescriptor } from '../../codegen/descriptor/build.js';
import type { OperationInput } from '../../codegen/descriptor/operation.js';
import { operationInput } from '../../codegen/parse/operation-input.js';
import { createBackendHttp, type BackendHttp } from '../../src/backend/backend-http.js';
import type { CallContext } from '../../src/core/call-context.js';
import { createToolService } from '../../src/core/tool-service.js';
import type { ToolService } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { reply, startFaultBackend, type FaultBackend } from '../../testkit/fault-backend.js';

const responses = [
  { status: '201', description: 'Created.', contentType: 'application/json', schema: { type: 'object' } },
];
const keyParameter = { name: 'Idempotency-Key', in: 'header' as const, required: false, schema: { type: 'string' } };

function operation(extra: Partial<OperationInput>): OperationInput {
  return {
    method: 'post',
    path: '/payments',
    operationId: 'createPayment',
    deprecated: false,
    tags: [],
    parameters: [],
    responses,
    security: [],
    ...extra,
  };
}

describe('codegen: the idempotency header', () => {
  it('an Idempotency-Key header parameter is the idempotency header, not a tool input', () => {
    const document = {
      paths: {
        '/payments': { post: { parameters: [keyParameter], responses: { '201': { description: 'Created.' } } } },
      },
    };
    const input = operationInput({ method: 'post', path: '/payments' }, document);
    expect(input.idempotencyHeader).toBe('Idempotency-Key');
    const descriptor = buildDescriptor(input, 'createPayment', document);
    expect(descriptor.operation.idempotencyHeader).toBe('Idempotency-Key');
    expect(JSON.stringify(descriptor.inputSchema)).not.toContain('Idempotency');
    expect(descriptor.parameters).toEqual([]);
  });

  it('x-finmcp-idempotency-header names another header (a parameter of that name is no input either); none: no header', () => {
    const document = {
      paths: {
        '/payments': {
          post: {
            'x-finmcp-idempotency-header': 'X-Request-Token',
            parameters: [{ name: 'X-Request-Token', in: 'header', schema: { type: 'string' } }],
            responses: { '201': { description: 'Created.' } },
          },
        },
      },
    };
    const input = operationInput({ method: 'post', path: '/payments' }, document);
    expect(input.idempotencyHeader).toBe('X-Request-Token');
    expect(buildDescriptor(input, 'createPayment', document).inputSchema).not.toHaveProperty(
      'properties.X-Request-Token',
    );
    expect(buildDescriptor(operation({}), 'createPayment', {}).operation).not.toHaveProperty('idempotencyHeader');
  });
});

const ajv = new Ajv2020({ allErrors: true, strict: false });
let backend: FaultBackend;
let http: BackendHttp;
let service: ToolService;

function descriptor(name: string, path: string, idempotencyHeader?: string): ToolDescriptor {
  const built = buildDescriptor(
    operation({ path, operationId: name, ...(idempotencyHeader === undefined ? {} : { idempotencyHeader }) }),
    name,
    {},
  );
  return {
    ...built,
    inputSchema: { type: 'object', properties: { amount: { type: 'integer' } } },
    body: {
      kind: 'properties',
      contentType: 'application/json',
      required: true,
      fields: [{ property: 'amount', name: 'amount' }],
    },
  };
}

beforeAll(async () => {
  backend = await startFaultBackend();
  // One attempt per request would hide a retry: three are allowed, as by default.
  http = createBackendHttp({ baseUrl: backend.url, maxAttempts: 3, timeoutMs: 5_000, retryBaseDelayMs: 1 });
  const tools = [
    descriptor('createPayment', '/payments', 'Idempotency-Key'),
    descriptor('createTransfer', '/transfers'),
  ];
  const generated: GeneratedBackend = {
    name: 'acme',
    title: 'Acme',
    version: '1',
    specFile: 'specs/acme.yaml',
    servers: [],
    securitySchemes: {},
    tools,
    validators: Object.fromEntries(
      tools.map((t) => [t.name, ajv.compile(t.inputSchema) as unknown as PrecompiledValidator]),
    ),
  };
  service = createToolService({ generated, overrides: {} }, { http, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await http?.close();
  await backend?.close();
});

const ctx = (idempotencyKey?: string): CallContext => ({
  backend: 'acme',
  tool: 'x',
  requestId: 'req-1',
  principal: { id: 'p', scopes: [], claims: {} },
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

describe('runtime: idempotency keys and unknown outcomes', () => {
  it("sends the call's nonce in the declared header, a fresh key per call without one, and no header where none is declared", async () => {
    backend.script('POST /payments', reply.json(201, { id: 'pay-1' }));
    backend.script('POST /transfers', reply.json(201, { id: 'tr-1' }));
    const first = await service.callTool('createPayment', { amount: 5 }, ctx('nonce-abc'));
    expect(first.isError, first.content[0]?.text).not.toBe(true);
    await service.callTool('createPayment', { amount: 5 }, ctx());
    await service.callTool('createPayment', { amount: 5 }, ctx());
    await service.callTool('createTransfer', { amount: 5 }, ctx('nonce-abc'));
    const keys = backend.requestsTo('POST /payments').map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe('nonce-abc');
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[2]).not.toBe(keys[1]);
    expect(backend.requestsTo('POST /transfers')[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it.each([
    ['the connection drops after the request was sent', reply.reset({ delayMs: 50 })],
    ['the backend does not answer in time', reply.hang()],
  ])(
    'a write whose %s says "Outcome unknown" and is sent once, never retried',
    async (_label, fault) => {
      backend.clearScripts();
      backend.script('POST /transfers', fault);
      const before = backend.requestsTo('POST /transfers').length;
      const result = await service.callTool('createTransfer', { amount: 7 }, ctx('n-2'));
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(
        /^Outcome unknown: POST was sent to the backend, but .*it may or may not have been carried out, and it was not retried/,
      );
      expect(backend.requestsTo('POST /transfers').length - before).toBe(1);
    },
    30_000,
  );
});
