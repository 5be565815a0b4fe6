import { describe, expect, it } from 'vitest';
import { errorForLog } from '../../src/core/log-error.js';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
const cases = [
  { given: new Error('plain failure'), secrets: [], want: 'plain failure' },
  { given: new Error('header was Bearer abc.def-123=='), secrets: [], want: 'header was Bearer [redacted]' },
  { given: new Error(`token ${jwt} rejected`), secrets: [], want: 'token [redacted] rejected' },
  { given: new Error(`id_token=${jwt}`), secrets: [], want: 'id_token=[redacted]' },
  { given: new Error('session s-123456 gone'), secrets: ['s-123456'], want: 'session [redacted] gone' },
  { given: 'a string with basic dXNlcjpwYXNz', secrets: [], want: 'a string with basic [redacted]' },
];

describe('errorForLog', () => {
  it.each(cases)('$want', ({ given, secrets, want }) => {
    const out = errorForLog(given, secrets);
    expect(out.message).toBe(want);
    if (given instanceof Error) {
      expect(out.type).toBe('Error');
      expect(out.stack).toContain(want);
    }
  });
});
