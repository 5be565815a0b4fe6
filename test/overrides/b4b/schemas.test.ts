/**
 * The input and output schemas B4B's hand-written tools share, judged by the runtime's own validator: the phone
 * as the B4B spec's LoginRequest has it (E.164), the password's length and write-only flag, and the user shape.
 */
import { describe, expect, it } from 'vitest';
import { backend as b4b } from '../../../generated/b4b/index.gen.js';
import type { JsonSchema } from '../../../contract/descriptor.js';
import { compileSchema, validateArgs } from '../../../src/core/validation.js';
import {
  LOGIN_INPUT,
  LOGIN_LISTING,
  LOGOUT_LISTING,
  NO_INPUT,
  WHOAMI_LISTING,
  WHOAMI_OUTPUT,
} from '../../../src/overrides/b4b/schemas.js';

/** The phone and password as every B4B sign-in takes them (`login`'s own input, without its dependency rule). */
const CREDENTIAL_PROPERTIES = LOGIN_INPUT['properties'] as Record<'phone' | 'password', Record<string, unknown>>;
const USER_SCHEMA = (WHOAMI_OUTPUT['properties'] as Record<string, JsonSchema>)['user'] as JsonSchema;
const credentials = { type: 'object', properties: CREDENTIAL_PROPERTIES, additionalProperties: false } as const;

describe('CREDENTIAL_PROPERTIES', () => {
  const cases: Array<{ name: string; args: Record<string, unknown>; problem?: RegExp }> = [
    { name: 'the README phone and password', args: { phone: '+84909495665', password: 'SecurePassword123@' } },
    { name: 'the shortest E.164 number', args: { phone: '+12345678' } },
    { name: 'the longest E.164 number', args: { phone: '+123456789012345' } },
    { name: 'no plus', args: { phone: '84909495665' }, problem: /phone.*pattern/ },
    { name: 'a country code starting with 0', args: { phone: '+04909495665' }, problem: /phone.*pattern/ },
    { name: 'too long', args: { phone: '+1234567890123456' }, problem: /phone.*pattern/ },
    { name: 'spaces', args: { phone: '+84 909 495 665' }, problem: /phone.*pattern/ },
    { name: 'a short password', args: { password: 'short' }, problem: /password.*at least 8/ },
    { name: 'a long password', args: { password: 'x'.repeat(129) }, problem: /password.*at most 128/ },
    { name: 'another field', args: { user: 'alice' }, problem: /user/ },
  ];
  it.each(cases)('$name', async ({ args, problem }) => {
    const problems = validateArgs(await compileSchema(credentials), args);
    if (problem === undefined) expect(problems).toBeUndefined();
    else expect(problems?.join('; ')).toMatch(problem);
  });

  it('takes the phone pattern of the spec’s login operation, and marks the password write-only', () => {
    const login = b4b.tools.find((tool) => tool.name === 'login');
    const properties = (login?.inputSchema.properties ?? {}) as Record<string, { pattern?: string }>;
    const specPhone = properties['phone'];
    expect(specPhone?.pattern).toBeDefined();
    expect(CREDENTIAL_PROPERTIES.phone.pattern).toBe(specPhone?.pattern);
    expect(CREDENTIAL_PROPERTIES.password.writeOnly).toBe(true);
  });
});

describe('the other shared schemas', () => {
  it('NO_INPUT takes an empty object and nothing else', async () => {
    const validator = await compileSchema(NO_INPUT);
    expect(validateArgs(validator, {})).toBeUndefined();
    expect(validateArgs(validator, { extra: 1 })?.join()).toMatch(/extra/);
  });

  it('USER_SCHEMA needs id and email', async () => {
    const validator = await compileSchema(USER_SCHEMA);
    expect(validateArgs(validator, { id: 'u1', email: 'a@b4b.example', role: 'OWNER' })).toBeUndefined();
    expect(validateArgs(validator, { id: 'u1' })?.join()).toMatch(/email.*required/);
  });

  it.each([
    { listing: LOGIN_LISTING, readOnly: false },
    { listing: LOGOUT_LISTING, readOnly: false },
    { listing: WHOAMI_LISTING, readOnly: true },
  ])('session tool $listing.name: titled once, idempotent, never destructive, open-world', ({ listing, readOnly }) => {
    expect(listing.session).toBe(true);
    expect(listing.annotations).toEqual({
      title: listing.title,
      readOnlyHint: readOnly,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    expect(listing).not.toHaveProperty('readOnly');
  });
});
