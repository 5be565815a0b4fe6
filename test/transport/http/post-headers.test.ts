/**
 * The POST header checks made before anything is read or authenticated (MCP 2025-11-25, Basic / Transports,
 * "Sending Messages to the Server"): 406 without both accepted types, 415 for a body that is not JSON, 413 for a
 * declared length over the limit (closing the connection), else nothing.
 */
import { describe, expect, it } from 'vitest';
import { checkPostHeaders, tooLarge } from '../../../src/transport/http/post-headers.js';
import { httpRequest } from './request.js';

const BOTH = 'application/json, text/event-stream';

describe('checkPostHeaders', () => {
  const cases: Array<{ name: string; headers: Record<string, string>; status?: number; message?: RegExp }> = [
    { name: 'both types accepted, JSON body', headers: { accept: BOTH, 'content-type': 'application/json' } },
    {
      name: 'a charset and a length at the limit',
      headers: { accept: BOTH, 'content-type': 'application/json; charset=utf-8', 'content-length': '1000' },
    },
    { name: 'no Accept', headers: { 'content-type': 'application/json' }, status: 406, message: /Accept must include/ },
    {
      name: 'Accept without text/event-stream',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      status: 406,
      message: /application\/json and text\/event-stream/,
    },
    {
      name: 'Accept without application/json',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      status: 406,
    },
    {
      name: 'no Content-Type',
      headers: { accept: BOTH },
      status: 415,
      message: /Content-Type must be application\/json/,
    },
    { name: 'a form body', headers: { accept: BOTH, 'content-type': 'text/plain' }, status: 415 },
    {
      name: 'a declared length over the limit',
      headers: { accept: BOTH, 'content-type': 'application/json', 'content-length': '1001' },
      status: 413,
      message: /1000 bytes/,
    },
  ];

  it.each(cases)('$name', ({ headers, status, message }) => {
    const answer = checkPostHeaders(httpRequest(headers), 1000);
    if (status === undefined) {
      expect(answer).toBeUndefined();
      return;
    }
    expect(answer?.status).toBe(status);
    const body = JSON.parse(answer!.body!) as { id: unknown; error: { message: string } };
    expect(body.id).toBeNull();
    if (message !== undefined) expect(body.error.message).toMatch(message);
  });

  it('checks Accept before Content-Type, and both before the length', () => {
    expect(checkPostHeaders(httpRequest({ 'content-length': '5000' }), 1000)?.status).toBe(406);
    expect(checkPostHeaders(httpRequest({ accept: BOTH, 'content-length': '5000' }), 1000)?.status).toBe(415);
  });
});

describe('tooLarge', () => {
  it('answers 413 naming the limit and closes the connection (the rest of the body is not read)', () => {
    const answer = tooLarge(2048);
    expect(answer.status).toBe(413);
    expect(answer.closeConnection).toBe(true);
    expect(answer.body).toContain('2048');
  });
});
