/**
 * The request metadata headers of MCP 2026-07-28 (Basic / Transports, Streamable HTTP, "Request Metadata" and
 * "Server Validation"): `MCP-Protocol-Version` against the body's envelope, `Mcp-Method` and `Mcp-Name` against the
 * body (Base64 `=?base64?…?=` decoded), each missing or differing one refused as -32020 naming the header.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { InboundRequest } from '../../../src/protocol/messages.js';
import { PROTOCOL_VERSION_META_KEY } from '../../../src/protocol/versions.js';
import {
  checkModernHeaders,
  checkVersionHeader,
  unsupportedHeaderVersion,
} from '../../../src/transport/http/modern-headers.js';
import { httpRequest } from './request.js';

function request(method: string, params: Record<string, unknown> = {}): InboundRequest {
  return { kind: 'request', jsonrpc: '2.0', id: 1, method, params } as InboundRequest;
}
const modern = (method: string, params: Record<string, unknown> = {}): InboundRequest =>
  request(method, { ...params, _meta: { [PROTOCOL_VERSION_META_KEY]: '2026-07-28' } });
const base64 = (text: string): string => `=?base64?${Buffer.from(text).toString('base64')}?=`;

describe('checkVersionHeader', () => {
  const cases: Array<{ name: string; header?: string; body: InboundRequest; code?: number; names?: string }> = [
    { name: 'a modern body and the same header', header: '2026-07-28', body: modern('tools/list') },
    { name: 'a legacy body and a served legacy header', header: '2025-11-25', body: request('tools/list') },
    { name: 'a legacy body and no header', body: request('initialize') },
    {
      name: 'a modern body without the header',
      body: modern('tools/list'),
      code: ErrorCode.HeaderMismatch,
      names: 'MCP-Protocol-Version',
    },
    {
      name: 'a modern body and another header',
      header: '2025-11-25',
      body: modern('tools/list'),
      code: ErrorCode.HeaderMismatch,
      names: 'MCP-Protocol-Version',
    },
    {
      name: 'a legacy body and a header naming no served version',
      header: '1999-01-01',
      body: request('tools/list'),
      code: ErrorCode.UnsupportedProtocolVersion,
    },
  ];

  it.each(cases)('$name', ({ header, body, code, names }) => {
    const refusal = checkVersionHeader(
      httpRequest(header === undefined ? {} : { 'mcp-protocol-version': header }),
      body,
    );
    if (code === undefined) {
      expect(refusal).toBeUndefined();
      return;
    }
    expect(refusal?.code).toBe(code);
    if (names !== undefined) expect(refusal?.message).toContain(names);
  });

  it('names an unserved header version in the refusal, cut when long', () => {
    expect(unsupportedHeaderVersion('1999-01-01').message).toBe(
      'Bad Request: unsupported MCP-Protocol-Version 1999-01-01',
    );
    expect(unsupportedHeaderVersion('x'.repeat(10_000)).message.length).toBeLessThan(1000);
  });
});

describe('checkModernHeaders', () => {
  const call = modern('tools/call', { name: 'list_invoices', arguments: {} });
  const cases: Array<{ name: string; headers: Record<string, string>; body: InboundRequest; header?: string }> = [
    { name: 'Mcp-Method mirrors a list', headers: { 'mcp-method': 'tools/list' }, body: modern('tools/list') },
    {
      name: 'Mcp-Method and Mcp-Name mirror a call',
      headers: { 'mcp-method': 'tools/call', 'mcp-name': 'list_invoices' },
      body: call,
    },
    {
      name: 'a Base64-encoded Mcp-Name',
      headers: { 'mcp-method': 'tools/call', 'mcp-name': base64('list_invoices') },
      body: call,
    },
    {
      name: 'a non-ASCII tool name in Base64',
      headers: { 'mcp-method': 'tools/call', 'mcp-name': base64('liste_factures_é') },
      body: modern('tools/call', { name: 'liste_factures_é' }),
    },
    { name: 'no Mcp-Method', headers: {}, body: modern('tools/list'), header: 'Mcp-Method' },
    {
      name: 'another Mcp-Method',
      headers: { 'mcp-method': 'tools/call' },
      body: modern('tools/list'),
      header: 'Mcp-Method',
    },
    { name: 'a call without Mcp-Name', headers: { 'mcp-method': 'tools/call' }, body: call, header: 'Mcp-Name' },
    {
      name: 'another tool in Mcp-Name',
      headers: { 'mcp-method': 'tools/call', 'mcp-name': 'delete_everything' },
      body: call,
      header: 'Mcp-Name',
    },
    {
      name: 'malformed Base64 in Mcp-Name',
      headers: { 'mcp-method': 'tools/call', 'mcp-name': '=?base64?***?=' },
      body: call,
      header: 'Mcp-Name',
    },
  ];

  it.each(cases)('$name', ({ headers, body, header }) => {
    const mismatch = checkModernHeaders(httpRequest(headers), body);
    if (header === undefined) {
      expect(mismatch).toBeUndefined();
      return;
    }
    expect(mismatch?.code).toBe(ErrorCode.HeaderMismatch);
    expect(mismatch?.message).toMatch(new RegExp(`^Bad Request: ${header} header does not match the body`));
    expect(mismatch?.data.mismatch.header).toBe(headers[header.toLowerCase()] ?? '(missing)');
  });
});
