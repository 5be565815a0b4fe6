/**
 * A tool result's JSON with its structured content spliced in as the text it was shaped from
 * (src/core/result-json.ts): the same JSON as serialising the result, and never a stale text.
 */
import { describe, expect, it } from 'vitest';
import { markStructuredJson, resultJson } from '../../src/core/result-json.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';

describe('resultJson', () => {
  it('splices the recorded text of structuredContent, members in order, undefined ones left out', () => {
    const backendText = '{"id":"inv_1","amount":12.5,"big":12345678901234567890}';
    const structured = JSON.parse(backendText) as Record<string, unknown>;
    const result: ToolResult = {
      content: [{ type: 'text', text: backendText }],
      structuredContent: structured,
      isError: undefined,
      _meta: { 'finmcp/truncated': { shown: 1, total: 2, hint: 'x' } },
    };
    markStructuredJson(result, backendText);
    const json = resultJson(result);
    // The backend's own digits travel unchanged; everything else is what JSON.stringify writes.
    expect(json).toContain(`"structuredContent":${backendText}`);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(result)));
    expect(Object.keys(JSON.parse(json) as object)).toEqual(['content', 'structuredContent', '_meta']);
  });

  it('keeps splicing through a copy of the result (2026-07-28 adds members to a spread)', () => {
    const result: ToolResult = { content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 1 } };
    markStructuredJson(result, '{"a":1}');
    const json = resultJson({ ...result, resultType: 'complete' });
    expect(JSON.parse(json)).toEqual({ ...JSON.parse(JSON.stringify(result)), resultType: 'complete' });
  });

  it('serialises a replaced structuredContent (e.g. redacted) as it is, never the recorded text', () => {
    const result: ToolResult = {
      content: [{ type: 'text', text: '{"token":"s3cret"}' }],
      structuredContent: { token: 's3cret' },
    };
    markStructuredJson(result, '{"token":"s3cret"}');
    const redacted: ToolResult = { ...result, structuredContent: { token: '[redacted]' } };
    expect(resultJson(redacted)).not.toContain('s3cret"}');
    expect(JSON.parse(resultJson(redacted))).toMatchObject({ structuredContent: { token: '[redacted]' } });
  });

  it('puts the head members first, spliced or not, and alone for an empty result', () => {
    const head = '"resultType":"complete","_meta":{"k":1}';
    const result: ToolResult = { content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 1 } };
    markStructuredJson(result, '{"a":1}');
    const expected = { resultType: 'complete', _meta: { k: 1 }, ...JSON.parse(JSON.stringify(result)) };
    expect(JSON.parse(resultJson(result, head))).toEqual(expected);
    expect(resultJson(result, head).startsWith(`{${head},"content":`)).toBe(true);
    const plain = { content: [{ type: 'text', text: 'x' }], isError: undefined };
    expect(resultJson(plain, head)).toBe(`{${head},"content":[{"type":"text","text":"x"}]}`);
    expect(resultJson({}, head)).toBe(`{${head}}`);
  });

  it('is JSON.stringify for a result nothing was recorded for', () => {
    const result: ToolResult = { content: [{ type: 'text', text: 'hello' }], isError: true };
    expect(resultJson(result)).toBe(JSON.stringify(result));
  });
});
