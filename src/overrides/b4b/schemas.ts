/**
 * JSON Schemas and annotations shared by the hand-written B4B tools (JSON Schema 2020-12, as MCP tool schemas are;
 * MCP 2025-11-25, Server / Tools, "Tool annotations"). The credential fields follow the B4B spec's LoginRequest.
 */
import type { JsonSchema, ToolAnnotations } from '../../../contract/descriptor.js';

/** Input of a tool that takes none. */
export const NO_INPUT: JsonSchema = { type: 'object', properties: {}, additionalProperties: false };

/** `phone` and `password`, as `login` takes them and the sign-in page's form sends them. */
const CREDENTIAL_PROPERTIES: Record<'phone' | 'password', JsonSchema> = {
  phone: {
    type: 'string',
    // E.164: `+`, a country code not starting with 0, 8 to 15 digits in all (as the B4B spec's LoginRequest).
    pattern: '^\\+[1-9][0-9]{7,14}$',
    description: 'Phone number in E.164 form: + and the country code, then the number (e.g. +84909495665).',
    examples: ['+84909495665'],
  },
  password: {
    type: 'string',
    minLength: 8,
    maxLength: 128,
    writeOnly: true,
    description:
      'The B4B password. Leave it out when the client can open a sign-in page (URL-mode elicitation). Sent only to the B4B API; never stored or shown.',
  },
};

/**
 * `login`'s input. Both fields optional: without a password the user types it on the sign-in page (the phone may be
 * given to prefill it). A password without its phone is refused by the schema (`dependentRequired`).
 */
export const LOGIN_INPUT: JsonSchema = {
  type: 'object',
  properties: CREDENTIAL_PROPERTIES,
  dependentRequired: { password: ['phone'] },
  additionalProperties: false,
};

/** What a sign-in sends: both fields, by the rules `login` serves. */
export const CREDENTIALS: JsonSchema = {
  type: 'object',
  properties: CREDENTIAL_PROPERTIES,
  required: ['phone', 'password'],
};

/** `success` and `message`: how `login` and `logout` say what happened. */
const OUTCOME_PROPERTIES: Record<'success' | 'message', JsonSchema> = {
  success: { type: 'boolean', description: 'true when the session is in the state asked for (logged in, logged out).' },
  message: { type: 'string', description: 'What happened, in words.' },
};

const USER_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The B4B user.',
  properties: {
    id: { type: 'string', description: 'User id (UUID).' },
    email: { type: 'string', description: "The user's email address." },
    phone: { type: 'string', description: 'Login phone number, E.164.' },
    full_name: { type: 'string', description: 'Full name.' },
    role: { type: 'string', description: 'OWNER, ACCOUNTANT or VIEWER.' },
    created_at: { type: 'string', description: 'When the account was created (UTC).' },
  },
  required: ['id', 'email'],
};

/**
 * The annotations of a session tool: each reaches the B4B API (`openWorldHint`, as for generated tools), none
 * changes B4B data (`destructiveHint: false`: login and logout touch only this session's credential), and each may
 * be repeated (`idempotentHint`).
 */
export function sessionToolAnnotations(title: string, readOnly: boolean): ToolAnnotations {
  return { title, readOnlyHint: readOnly, destructiveHint: false, idempotentHint: true, openWorldHint: true };
}

/** `login`'s result. */
export const LOGIN_OUTPUT: JsonSchema = {
  type: 'object',
  properties: {
    ...OUTCOME_PROPERTIES,
    email: { type: 'string', description: 'Email of the account logged in.' },
    expires_at: { type: 'string', description: 'When the login expires (UTC, RFC 3339), when known.' },
  },
  required: ['success', 'message'],
};

/** `logout`'s result. */
export const LOGOUT_OUTPUT: JsonSchema = {
  type: 'object',
  properties: {
    ...OUTCOME_PROPERTIES,
    backend_revoked: { type: 'boolean', description: 'Whether the B4B API confirmed the token was revoked.' },
  },
  required: ['success', 'message', 'backend_revoked'],
};

/** `whoami`'s result. */
export const WHOAMI_OUTPUT: JsonSchema = { type: 'object', properties: { user: USER_SCHEMA }, required: ['user'] };
