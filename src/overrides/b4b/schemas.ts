/**
 * What `tools/list` shows of the hand-written B4B tools: their names, descriptions, JSON Schemas and annotations
 * (JSON Schema 2020-12, as MCP tool schemas are; MCP 2025-11-25, Server / Tools, "Tool annotations"). Kept apart
 * from the handlers (login.ts, logout.ts, whoami.ts) so that listing the tools, a client's first request, loads none
 * of their code. The credential fields follow the B4B spec's LoginRequest.
 */
import type { JsonSchema, ToolAnnotations } from '../../../contract/descriptor.js';
import type { HandWrittenTool } from '../../core/backend-overrides.js';

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

/** What `tools/list` shows of a hand-written tool: all of it but its handler. */
type ToolListing = Omit<HandWrittenTool, 'call'>;

/**
 * A session tool's listing. Its annotations follow from what every session tool is: each reaches the B4B API
 * (`openWorldHint`, as for generated tools), none changes B4B data (`destructiveHint: false`: login and logout touch
 * only this session's credential), and each may be repeated (`idempotentHint`).
 */
function sessionToolListing(
  tool: Pick<ToolListing, 'name' | 'title' | 'description' | 'inputSchema' | 'outputSchema'> & { readOnly: boolean },
): ToolListing {
  const { readOnly, ...listing } = tool;
  const annotations: ToolAnnotations = {
    title: tool.title,
    readOnlyHint: readOnly,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  };
  return { ...listing, annotations, session: true };
}

/** Internal name; served as `login` (see overrides.ts). */
export const LOGIN_TOOL = 'b4b_session_login';

export const LOGIN_LISTING = sessionToolListing({
  name: LOGIN_TOOL,
  title: 'Log in to Finizi B4B',
  description:
    'Logs in to the Finizi B4B API. Call it first: every other B4B tool needs a login. Best: call it without a ' +
    'password; when your client supports URL-mode elicitation the user gets a link to a sign-in page and types ' +
    'the password there, so it never passes through this conversation. Otherwise pass the phone number in E.164 ' +
    'form (e.g. +84909495665) and the password. The access token stays on the server and is never shown; it ' +
    'lasts about an hour, after which tools answer "Session expired" and you log in again. Returns the email of ' +
    'the account logged in.',
  inputSchema: LOGIN_INPUT,
  outputSchema: LOGIN_OUTPUT,
  readOnly: false,
});

/** Internal name; served as `logout` (see overrides.ts). */
export const LOGOUT_TOOL = 'b4b_session_logout';

export const LOGOUT_LISTING = sessionToolListing({
  name: LOGOUT_TOOL,
  title: 'Log out of Finizi B4B',
  description:
    "Logs out of Finizi B4B: asks the B4B API to revoke this session's access token, then forgets it. " +
    'The session is logged out even when the B4B API cannot be reached (the result says so). After it, ' +
    'B4B tools ask you to log in again. Takes no input.',
  inputSchema: NO_INPUT,
  outputSchema: LOGOUT_OUTPUT,
  // Not destructive: it removes only this session's credential, which `login` restores; no B4B data changes.
  readOnly: false,
});

/** Internal name; served as `whoami` (see overrides.ts). */
export const WHOAMI_TOOL = 'b4b_session_whoami';

export const WHOAMI_LISTING = sessionToolListing({
  name: WHOAMI_TOOL,
  title: 'Current B4B user',
  description:
    'Returns the user this session is logged in as (id, email, phone, full name, role), as the B4B API ' +
    'knows it. Use it to check that the session is still logged in and as whom. Takes no input.',
  inputSchema: NO_INPUT,
  outputSchema: WHOAMI_OUTPUT,
  readOnly: true,
});
