import { describe, expect, it } from 'vitest';
import { headerSecrets, redactSecrets } from '../../src/core/redact.js';

describe('redactSecrets', () => {
  const cases: Array<{ given: string; secrets: string[]; want: string }> = [
    {
      given: 'sent Bearer opaque-token-123',
      secrets: headerSecrets({ authorization: 'Bearer opaque-token-123' }),
      want: 'sent [redacted]',
    },
    {
      given: 'token opaque-token-123 refused',
      secrets: headerSecrets({ authorization: 'Bearer opaque-token-123' }),
      want: 'token [redacted] refused',
    },
    {
      given: 'x-api-key k3y-value-9 unknown',
      secrets: headerSecrets({ 'x-api-key': 'k3y-value-9' }),
      want: 'x-api-key [redacted] unknown',
    },
    { given: 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln here', secrets: [], want: 'jwt [redacted] here' },
    { given: 'Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==', secrets: [], want: 'Authorization: Basic [redacted]' },
    // Ordinary words stay: a message about a "Bearer token" is not a credential, nor is a short value.
    { given: 'missing Bearer token', secrets: ['abc'], want: 'missing Bearer token' },
    { given: 'Token expired: call login again', secrets: [], want: 'Token expired: call login again' },
  ];
  it.each(cases)('$given → $want', ({ given, secrets, want }) => {
    expect(redactSecrets(given, secrets)).toBe(want);
  });
});
