/**
 * The serverless entry (`finmcp/serverless`) through the AWS Lambda example of docs/serverless.md
 * (docs/examples/finopps-lambda.mjs): API Gateway HTTP API events (payload 2.0) in, Lambda results out, FinOpps
 * against its Prism mock and the sandbox authorization server, in both protocol eras.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specScopes } from '../../src/auth/scopes.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { backendLoaders } from '../../generated/index.gen.js';

const PUBLIC_URL = 'https://finopps.lambda.example';
const ENDPOINT = `${PUBLIC_URL}/finopps/mcp`;
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
interface Example {
  handler(event: unknown): Promise<LambdaResult>;
  ready: Promise<{ close(): Promise<void>; sandboxIssuer?: string }>;
}

let example: Example;
let token: string;

beforeAll(async () => {
  Object.assign(process.env, {
    FINMCP_SANDBOX: '1',
    FINMCP_SANDBOX_AUTH_PORT: '0',
    FINMCP_PUBLIC_URL: PUBLIC_URL,
    FINMCP_LOG_LEVEL: 'silent',
  });
  example = (await import('../../docs/examples/finopps-lambda.mjs')) as Example;
  const started = await example.ready;
  token = await obtainSandboxToken({
    issuer: started.sandboxIssuer!,
    user: 'alice',
    resource: ENDPOINT,
    scopes: specScopes(await backendLoaders['finopps']!()),
  });
}, 120_000);

afterAll(async () => {
  await (await example?.ready)?.close();
});

/** An API Gateway HTTP API (payload 2.0) event for a POST to the MCP endpoint. */
function event(body: unknown, headers: Record<string, string> = {}): unknown {
  return {
    version: '2.0',
    rawPath: '/finopps/mcp',
    rawQueryString: '',
    headers: {
      host: new URL(PUBLIC_URL).host,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      ...headers,
    },
    requestContext: { domainName: new URL(PUBLIC_URL).host, http: { method: 'POST', sourceIp: '203.0.113.9' } },
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    isBase64Encoded: true,
  };
}

describe('FinOpps on the Lambda example', () => {
  it('2026-07-28: discovers, lists and calls a tool with the sandbox bearer token', async () => {
    const headers = { 'mcp-protocol-version': '2026-07-28' };
    const discover = await example.handler(
      event(
        { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: META } },
        { ...headers, 'mcp-method': 'server/discover' },
      ),
    );
    expect(discover.statusCode).toBe(200);
    expect(JSON.parse(discover.body).result.supportedVersions).toEqual(['2026-07-28']);
    const list = await example.handler(
      event(
        { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: META } },
        { ...headers, 'mcp-method': 'tools/list' },
      ),
    );
    expect(JSON.parse(list.body).result.tools).toHaveLength(7);
    const call = await example.handler(
      event(
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_business', arguments: {}, _meta: META } },
        { ...headers, 'mcp-method': 'tools/call', 'mcp-name': 'get_business' },
      ),
    );
    expect(call.statusCode).toBe(200);
    const result = JSON.parse(call.body).result;
    expect(result.resultType).toBe('complete');
    expect(result.isError, JSON.stringify(result)).not.toBe(true);
  });

  it('2025-11-25: initialize and a tool call, stateless', async () => {
    const init = await example.handler(
      event({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lambda-test', version: '0' } },
      }),
    );
    expect(JSON.parse(init.body).result.protocolVersion).toBe('2025-11-25');
    const call = await example.handler(
      event({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_invoices', arguments: {} } }),
    );
    expect(JSON.parse(call.body).result.isError).not.toBe(true);
  });

  it('refuses a call without the bearer token with 401 and the RFC 9728 challenge', async () => {
    const res = await example.handler(event({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: '' }));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/resource_metadata=/);
  });
});
