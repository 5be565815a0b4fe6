/**
 * The fuzzer's own parts: the oracle catches what it must (wrong ids, stack frames, project paths, JWTs,
 * secrets), cases are a pure function of seed and number (replayable), and deep nesting is sent as text.
 */
import { describe, expect, it } from 'vitest';
import { caseArbitrary, generateCase, type ServedTool } from '../../fuzz/cases.js';
import { deeplyNested, toJson } from '../../fuzz/hostile.js';
import { checkAnswer, leaks } from '../../fuzz/oracle.js';

const SECRETS = { literals: ['SecurePassword123@'] };
const ROOT = '/srv/finmcp';

describe('fuzz oracle', () => {
  it('accepts a tool result and a JSON-RPC error with the right id', () => {
    expect(
      checkAnswer('{"jsonrpc":"2.0","id":7,"result":{"content":[]}}', { ids: [7], toolCall: true }).problems,
    ).toEqual([]);
    const error = checkAnswer('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}', {
      ids: [null],
      toolCall: false,
    });
    expect(error).toMatchObject({ kind: 'rpc-error -32700', failed: true, problems: [] });
  });

  it('reports a wrong id, a missing content array, and an answer with both result and error', () => {
    expect(
      checkAnswer('{"jsonrpc":"2.0","id":8,"result":{"content":[]}}', { ids: [7], toolCall: true }).problems[0]?.kind,
    ).toBe('wrong-id');
    expect(checkAnswer('{"jsonrpc":"2.0","id":7,"result":{}}', { ids: [7], toolCall: true }).problems[0]?.kind).toBe(
      'bad-tool-result',
    );
    expect(
      checkAnswer('{"jsonrpc":"2.0","id":7,"result":{},"error":{}}', { ids: [7], toolCall: false }).problems[0]?.kind,
    ).toBe('not-json-rpc');
    expect(checkAnswer('not json', { ids: [7], toolCall: false }).problems[0]?.kind).toBe('not-json');
  });

  it('finds stack frames, project paths, literal secrets and JWTs', () => {
    expect(
      leaks('Error: x\n    at handler (/srv/finmcp/dist/src/core/tool-service.js:10:5)', SECRETS, ROOT).map(
        (l) => l.kind,
      ),
    ).toEqual(['stack-trace', 'project-path']);
    expect(leaks('    at file:///x/y.js:1:2', SECRETS, ROOT).map((l) => l.kind)).toEqual(['stack-trace']);
    expect(leaks('password SecurePassword123@ echoed', SECRETS, ROOT).map((l) => l.kind)).toEqual(['secret']);
    expect(leaks('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln', SECRETS, ROOT).map((l) => l.kind)).toEqual([
      'secret',
    ]);
  });

  it('leaves ordinary validation messages alone', () => {
    expect(
      leaks('Invalid arguments:\n- phone: must match ^\\+[1-9][0-9]{7,14}$ (got "../../etc/passwd")', SECRETS, ROOT),
    ).toEqual([]);
  });
});

describe('fuzz cases', () => {
  const tools: ServedTool[] = [
    {
      name: 'get_invoice',
      inputSchema: {
        type: 'object',
        properties: { invoiceId: { type: 'string', format: 'uuid' } },
        required: ['invoiceId'],
        additionalProperties: false,
      },
    },
    { name: 'list_things', inputSchema: { type: 'object', properties: { page: { type: 'integer', minimum: 1 } } } },
  ];

  it('are a pure function of seed and case number', () => {
    const arbitrary = caseArbitrary(tools);
    for (let n = 0; n < 50; n += 1) {
      const a = generateCase(arbitrary, 42, n).render(1000 + n);
      const b = generateCase(caseArbitrary(tools), 42, n).render(1000 + n);
      expect(a).toEqual(b);
    }
  });

  it('include tool calls of the served tools and malformed envelopes', () => {
    const arbitrary = caseArbitrary(tools);
    const kinds = new Set(Array.from({ length: 400 }, (_, n) => generateCase(arbitrary, 7, n).kind));
    expect([...kinds].some((k) => k.startsWith('tool:'))).toBe(true);
    expect([...kinds].some((k) => k.startsWith('envelope:'))).toBe(true);
  });

  it('send deep nesting as JSON text, deeper than JSON.stringify could', () => {
    const text = toJson({ arguments: { a: deeplyNested(100_000, 'array') } });
    expect(text.startsWith('{"arguments":{"a":[[[')).toBe(true);
    expect(text.length).toBeGreaterThan(200_000);
  });
});
