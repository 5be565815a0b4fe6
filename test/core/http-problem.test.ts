import { describe, expect, it } from 'vitest';
import { describeHttpError } from '../../src/core/http-problem.js';
import type { BackendResponse } from '../../src/backend/backend-types.js';

const cases: Array<{ given: string; res: BackendResponse; want: string }> = [
  {
    given: 'RFC 9457 problem with errors[]',
    res: {
      status: 422,
      headers: {},
      body: {
        title: 'Validation failed',
        detail: 'Two fields are wrong',
        errors: [{ pointer: '/amount', detail: 'must be positive' }, 'free text', { code: 'E1' }],
      },
    },
    want: 'HTTP 422 Unprocessable Entity: Validation failed — Two fields are wrong\n- /amount: must be positive\n- free text\n- E1',
  },
  {
    given: 'title equal to the reason phrase',
    res: { status: 404, headers: {}, body: { title: 'Not Found' } },
    want: 'HTTP 404 Not Found',
  },
  {
    given: 'message-style JSON',
    res: { status: 409, headers: {}, body: { message: 'already paid' } },
    want: 'HTTP 409 Conflict: already paid',
  },
  {
    given: 'OAuth-style JSON',
    res: { status: 400, headers: {}, body: { error: 'invalid_grant', error_description: 'expired code' } },
    want: 'HTTP 400 Bad Request: expired code',
  },
  { given: 'no body', res: { status: 503, headers: {}, body: undefined }, want: 'HTTP 503 Service Unavailable' },
  { given: 'unknown status', res: { status: 599, headers: {}, body: undefined }, want: 'HTTP 599 Error' },
  {
    given: 'HTML page ignored',
    res: { status: 500, headers: {}, body: '<!DOCTYPE html><p>x', text: '<!DOCTYPE html><p>x' },
    want: 'HTTP 500 Internal Server Error',
  },
  {
    given: 'XML text kept short',
    res: { status: 400, headers: {}, body: '<e>bad</e>', text: '<e>bad</e>' },
    want: 'HTTP 400 Bad Request: <e>bad</e>',
  },
];

describe('describeHttpError', () => {
  it.each(cases)('$given', ({ res, want }) => {
    expect(describeHttpError(res)).toBe(want);
  });

  it('cuts huge details and long error lists', () => {
    const res: BackendResponse = {
      status: 400,
      headers: {},
      body: { detail: 'd'.repeat(10_000), errors: Array.from({ length: 50 }, (_, i) => `e${i}`) },
    };
    const out = describeHttpError(res);
    expect(out.length).toBeLessThan(1000);
    expect(out).toContain('- … and 30 more');
  });
});
