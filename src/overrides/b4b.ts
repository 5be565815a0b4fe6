/**
 * Overrides of the Finizi B4B backend: the session-bound login the reference server describes (token
 * pass-through: `login` keeps the backend JWT in the MCP session, every other tool sends it as an RFC 6750 §2.1
 * bearer token), and the safe-XML gate in front of `import_invoice_xml` (see xml-guard.ts).
 *
 * MCP 2025-11-25: "Tools" (hand-written `login`/`logout`/`whoami` with input/output schemas and annotations;
 * failures as `isError` results), Basic / Transports "Session Management" (`stateful: true`: the login lives
 * in the session's server-side state, isolated per session). The backend issues no refresh token: an expired
 * token (locally known expiry, or a backend 401) ends the login and the user logs in again.
 */
import type { BackendApi, BackendOverrides, BackendResponse, CallContext, HandWrittenTool, OutboundAuthResult } from '../contracts.js';
import type { JsonSchema, ToolDescriptor } from '../descriptor.js';
import { describeHttpError } from '../core/http-problem.js';
import { ToolCallError } from '../core/tool-error.js';
import { NO_SESSION, SESSION_EXPIRED, forgetLogin, isExpired, readLogin, sessionToken } from './b4b-session.js';
import { B4B_WRITES, confirmWrite, type ConfirmationSettings } from './b4b/confirm-write.js';
import { LOGIN_TOOL, loginTool } from './b4b/login.js';
import { failure, isRecord, success, unknownProperties } from './b4b/results.js';
import { signInReporting } from './b4b/sign-in.js';
import { DEFAULT_MAX_XML_BYTES, checkXmlDocument } from './xml-guard.js';

/** Configuration of {@link createB4bOverrides}. */
export interface B4bOverridesConfig {
  /** Largest `xml_content` accepted by `import_invoice_xml`, in UTF-8 bytes. Default 5 MiB. */
  maxXmlBytes?: number;
  /** Clock (epoch ms), for tests of token expiry. */
  now?: () => number;
  /**
   * stdio only (MCP 2025-11-25: a stdio server takes credentials from its environment): sign in with these when
   * the session has no valid login, instead of asking the model to call `login`. Never set over HTTP, where it
   * would sign every client in as the same user.
   */
  credentials?: { phone: string; password: string };
  /** The backend's base URL, named on the sign-in page and in confirmations; the sandbox when unset. */
  backendUrl?: string;
  /**
   * Refuse `create_entity`, `update_entity` and `import_invoice_xml` when the client cannot ask the user to confirm
   * (B4B_REQUIRE_CONFIRMATION). By default they proceed as before for such clients.
   */
  requireConfirmation?: boolean;
}

/** Tool error for a backend 401 on `login` itself: wrong phone or password. The password is never echoed. */
export const LOGIN_FAILED =
  'Login failed: the phone number and password do not match an active B4B user. Check the phone number ' +
  'format (+84…) and the password, then call `login` again.';

/**
 * Internal names of the hand-written tools. They are served under the reference names (`login`, …) through
 * a `name` override, so that hiding the generated operations of those names cannot hide them too.
 * Each reaches the B4B API, hence `openWorldHint: true`, as for generated tools.
 */
const HAND = { login: LOGIN_TOOL, logout: 'b4b_session_logout', whoami: 'b4b_session_whoami' } as const;

/** Input of a tool that takes none. */
const NO_INPUT: JsonSchema = { type: 'object', properties: {}, additionalProperties: false };

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

/** Creates the B4B overrides. */
export function createB4bOverrides(config: B4bOverridesConfig = {}): BackendOverrides {
  const now = config.now ?? Date.now;
  const maxXmlBytes = config.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
  const backendLabel = config.backendUrl === undefined ? 'the Finizi B4B sandbox' : `Finizi B4B at ${config.backendUrl}`;
  const confirmation: ConfirmationSettings = {
    backendLabel,
    requireConfirmation: config.requireConfirmation === true,
    ...(config.credentials === undefined ? {} : { environmentPhone: config.credentials.phone }),
  };
  const confirm = (tool: string) => confirmWrite(tool, B4B_WRITES[tool] as (typeof B4B_WRITES)[string], confirmation);
  const confirmImport = confirm('import_invoice_xml');

  return {
    stateful: true,
    tools: {
      // The generated operations stay callable through BackendApi; the model sees the hand-written tools.
      login: { hidden: true },
      logout: { hidden: true },
      whoami: { hidden: true },
      [HAND.login]: { name: 'login' },
      [HAND.logout]: { name: 'logout' },
      [HAND.whoami]: { name: 'whoami' },
      // The user confirms what will be written (where the client can ask), before anything is sent.
      create_entity: { check: confirm('create_entity') },
      update_entity: { check: confirm('update_entity') },
      import_invoice_xml: {
        // Runs after schema validation and before any request: refused documents never reach the backend. The
        // login is checked first, so that a caller who is not signed in costs no parsing at all, and the user is
        // asked to confirm only a document that would be sent.
        check: async (args, ctx) => {
          if (config.credentials === undefined) {
            const token = await sessionToken(ctx.session, now());
            if (!token.ok) return token.error;
          }
          const verdict = await checkXmlDocument(args['xml_content'], { field: 'xml_content', maxBytes: maxXmlBytes });
          return verdict.ok ? confirmImport(args, ctx) : verdict.message;
        },
      },
    },
    extraTools: [loginTool({ now, backendLabel }), logoutTool(now), whoamiTool(now)],
    outboundAuth: async (ctx: CallContext, descriptor: ToolDescriptor, api: BackendApi): Promise<OutboundAuthResult> => {
      // `security: []` marks an explicitly public operation (OpenAPI 3.1 §4.8.10): only `login`.
      if (descriptor.operation.security.length === 0) return { headers: {} };
      let token = await sessionToken(ctx.session, now());
      if (!token.ok && config.credentials !== undefined && ctx.session !== undefined) {
        const signedIn = await signInReporting(config.credentials, ctx.session, ctx, api, now(), 'Signing in with B4B_PHONE and B4B_PASSWORD failed: ');
        if (!signedIn.ok) return { error: signedIn.error };
        token = await sessionToken(ctx.session, now());
      }
      if (!token.ok) return { error: token.error };
      return { headers: { authorization: `Bearer ${token.login.accessToken}` } };
    },
    // A session that ends without `logout` (idle expiry, eviction, DELETE) still holds a live backend token:
    // revoke it, so that no token outlives the only place it was kept.
    onSessionEnd: async (ctx: CallContext, api: BackendApi): Promise<void> => {
      const login = ctx.session === undefined ? undefined : readLogin(ctx.session);
      if (login === undefined || isExpired(login, now())) return;
      const res = await api.callOperation('logout', {}, ctx);
      if (res.status < 200 || res.status > 299) throw new Error(`B4B logout answered ${describeHttpError(res)}`);
    },
    onUnauthorized: async (ctx: CallContext): Promise<{ error: string }> => {
      // On `login`, a 401 means wrong credentials, not an expired session.
      if (ctx.tool === 'login') return { error: LOGIN_FAILED };
      if (ctx.session !== undefined) await forgetLogin(ctx.session);
      return { error: SESSION_EXPIRED };
    },
  };
}

/** `logout()`: revokes at the backend, and always forgets locally. */
function logoutTool(now: () => number): HandWrittenTool {
  return {
    name: HAND.logout,
    title: 'Log out of Finizi B4B',
    description:
      'Logs out of Finizi B4B: asks the B4B API to revoke this session\'s access token, then forgets it. ' +
      'The session is logged out even when the B4B API cannot be reached (the result says so). After it, ' +
      'B4B tools ask you to log in again. Takes no input.',
    inputSchema: NO_INPUT,
    outputSchema: {
      type: 'object',
      properties: {
        success: { type: 'boolean', description: 'true: this session is logged out.' },
        message: { type: 'string', description: 'What happened.' },
        backend_revoked: { type: 'boolean', description: 'Whether the B4B API confirmed the token was revoked.' },
      },
      required: ['success', 'message', 'backend_revoked'],
    },
    // Not destructive: it removes only this session's credential, which `login` restores; no B4B data changes.
    annotations: {
      title: 'Log out of Finizi B4B',
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    },
    validate: (args) => unknownProperties(args, []),
    call: async (_args, ctx, api) => {
      const session = ctx.session;
      if (session === undefined) return failure(NO_SESSION);
      const login = readLogin(session);
      if (login === undefined) {
        await forgetLogin(session);
        return success({ success: true, message: 'You were not logged in; nothing to do.', backend_revoked: false });
      }
      if (isExpired(login, now())) {
        await forgetLogin(session);
        return success({
          success: true,
          message: 'Logged out. The login had already expired, so the B4B API was not called.',
          backend_revoked: false,
        });
      }
      let outcome: { revoked: true } | { revoked: false; why: string };
      try {
        const res = await api.callOperation('logout', {}, ctx);
        outcome = res.status >= 200 && res.status <= 299 ? { revoked: true } : { revoked: false, why: describeHttpError(res) };
      } catch (err) {
        // A 401 (token already invalid) or an unreachable backend: the local logout still happens.
        outcome = { revoked: false, why: err instanceof ToolCallError ? err.message : 'the B4B API could not be reached' };
      }
      await forgetLogin(session);
      if (outcome.revoked) {
        return success({ success: true, message: 'Successfully logged out', backend_revoked: true });
      }
      return success({
        success: true,
        message:
          `Logged out of this session, but the B4B API did not confirm revoking the token (${outcome.why}). ` +
          'The token was forgotten here and stops working when it expires.',
        backend_revoked: false,
      });
    },
  };
}

/** `whoami()`: the current user, from the backend. */
function whoamiTool(now: () => number): HandWrittenTool {
  return {
    name: HAND.whoami,
    title: 'Current B4B user',
    description:
      'Returns the user this session is logged in as (id, email, phone, full name, role), as the B4B API ' +
      'knows it. Use it to check that the session is still logged in and as whom. Takes no input.',
    inputSchema: NO_INPUT,
    outputSchema: { type: 'object', properties: { user: USER_SCHEMA }, required: ['user'] },
    annotations: {
      title: 'Current B4B user',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    },
    validate: (args) => unknownProperties(args, []),
    call: async (_args, ctx, api: BackendApi) => {
      // Answer "not logged in" / "expired" without a backend round trip (outboundAuth would say the same).
      const token = await sessionToken(ctx.session, now());
      if (!token.ok) return failure(token.error);
      const res: BackendResponse = await api.callOperation('whoami', {}, ctx);
      if (res.status < 200 || res.status > 299) return failure(describeHttpError(res));
      const body = res.body;
      if (!isRecord(body)) return failure('The B4B API returned an unexpected response for the current user.');
      return success(isRecord(body['user']) ? { user: body['user'] } : { user: body });
    },
  };
}
