/** RFC 6750 §2.1 header parsing. */
import { describe, expect, it } from 'vitest';
import { extractBearerToken } from '../../src/auth/bearer-token.js';

describe('extractBearerToken', () => {
  it('reads the token, or says why not', () => {
    const given: Array<{ header: string | undefined; strict?: boolean; want: ReturnType<typeof extractBearerToken> }> =
      [
        { header: undefined, want: { kind: 'missing' } },
        { header: 'Basic abc', want: { kind: 'missing' } },
        { header: '', want: { kind: 'missing' } },
        { header: 'Bearer', want: { kind: 'malformed' } },
        { header: 'Bearer a b', want: { kind: 'malformed' } },
        { header: 'Bearer a"b', want: { kind: 'malformed' } },
        { header: 'Bearer eyJ.a-b_c.d~e+f/g==', want: { kind: 'token', token: 'eyJ.a-b_c.d~e+f/g==' } },
        { header: 'BEARER   abc  ', want: { kind: 'token', token: 'abc' } },
        // Beside the usual `Bearer <token>` form (read without the general pattern): the same answers.
        { header: 'Bearer  abc', want: { kind: 'token', token: 'abc' } },
        { header: 'Bearer abc ', want: { kind: 'token', token: 'abc' } },
        { header: 'Bearer ', want: { kind: 'malformed' } },
        { header: 'Bearer  a b', want: { kind: 'malformed' } },
        { header: 'Bearer a\tb', want: { kind: 'malformed' } },
        { header: 'Bearer key:with:colons', want: { kind: 'malformed' } },
        { header: 'Bearer key:with:colons', strict: false, want: { kind: 'token', token: 'key:with:colons' } },
      ];
    for (const { header, strict, want } of given) {
      expect(extractBearerToken(header, strict === undefined ? {} : { strict }), String(header)).toEqual(want);
    }
  });
});
