/**
 * Overrides of the Finizi B4B backend: the session-bound login the reference server describes (token
 * pass-through: `login` keeps the backend JWT in the MCP session, every other tool sends it as an RFC 6750 §2.1
 * bearer token), and the safe-XML gate in front of `import_invoice_xml` (see xml-guard.ts).
 *
 * MCP 2025-11-25: "Tools" (hand-written `login`/`logout`/`whoami` with input/output schemas and annotations;
 * failures as `isError` results), Basic / Transports "Session Management" (`stateful: true`: the login lives
 * in the session's server-side state, isolated per session). The backend issues no refresh token: an expired
 * token (locally known expiry, or a backend 401) ends the login and the user logs in again.
 *
 * Start-up builds only what `tools/list` shows (schemas.ts) and the sign-in page's kind: the code of the tools,
 * checks and hooks (and the JWT decoder and typed client they use) is loaded by the first call that runs any of it.
 */
import type {
  BackendApi,
  BackendOverrides,
  HandWrittenTool,
  OutboundAuth,
  OutboundAuthResult,
  ToolOverride,
} from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import type { ToolDescriptor } from '../../../contract/descriptor.js';
import type { ConfirmationSettings } from './confirm-write.js';
import { LOGIN_LISTING, LOGIN_TOOL, LOGOUT_LISTING, LOGOUT_TOOL, WHOAMI_LISTING, WHOAMI_TOOL } from './schemas.js';
import { DEFAULT_MAX_XML_BYTES } from './settings.js';
import { SIGN_IN_PAGE, signInPageKind } from './sign-in-page.js';

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
const HAND = { login: LOGIN_TOOL, logout: LOGOUT_TOOL, whoami: WHOAMI_TOOL } as const;

/** The modules whose code runs on calls, loaded together on first use. */
async function loadCallCode() {
  const [session, signIn, writes, importCheck, login, logout, whoami] = await Promise.all([
    import('./session.js'),
    import('./sign-in.js'),
    import('./confirm-write.js'),
    import('./import-check.js'),
    import('./login.js'),
    import('./logout.js'),
    import('./whoami.js'),
  ]);
  return {
    sessionToken: session.sessionToken,
    readLogin: session.readLogin,
    isExpired: session.isExpired,
    forgetLogin: session.forgetLogin,
    SESSION_EXPIRED: session.SESSION_EXPIRED,
    signInReporting: signIn.signInReporting,
    confirmWrite: writes.confirmWrite,
    B4B_WRITES: writes.B4B_WRITES,
    xmlImportCheck: importCheck.xmlImportCheck,
    loginTool: login.loginTool,
    logoutTool: logout.logoutTool,
    revokeToken: logout.revokeToken,
    whoamiTool: whoami.whoamiTool,
  };
}

type CallCode = Awaited<ReturnType<typeof loadCallCode>>;

let callCode: Promise<CallCode> | undefined;

/** {@link loadCallCode}, once per process. */
function code(): Promise<CallCode> {
  callCode ??= loadCallCode();
  return callCode;
}

/** A hand-written tool listed from its listing; `make` builds it from the call code on its first call. */
function lazyTool(listing: Omit<HandWrittenTool, 'call'>, make: (c: CallCode) => HandWrittenTool): HandWrittenTool {
  let tool: Promise<HandWrittenTool> | undefined;
  return {
    ...listing,
    call: async (args, ctx, api) => {
      tool ??= code().then(make);
      return (await tool).call(args, ctx, api);
    },
  };
}

type Check = NonNullable<ToolOverride['check']>;

/** An override `check` that `make` builds from the call code on its first run. */
function lazyCheck(make: (c: CallCode) => Check): Check {
  let check: Promise<Check> | undefined;
  return async (args, ctx) => {
    check ??= code().then(make);
    return (await check)(args, ctx);
  };
}

/**
 * Outbound auth: the session's backend token as an RFC 6750 bearer token; on stdio with credentials from the
 * environment, a session without a valid login signs in with them first.
 */
function sessionBearer(credentials: B4bOverridesConfig['credentials'], now: () => number): OutboundAuth {
  return async (ctx: CallContext, descriptor: ToolDescriptor, api: BackendApi): Promise<OutboundAuthResult> => {
    // `security: []` marks an explicitly public operation (OpenAPI 3.1 §4.8.10): only `login`.
    if (descriptor.operation.security.length === 0) return { headers: {} };
    const { sessionToken, signInReporting } = await code();
    let token = await sessionToken(ctx.session, now());
    if (!token.ok && credentials !== undefined && ctx.session !== undefined) {
      const signedIn = await signInReporting(
        credentials,
        ctx.session,
        ctx,
        api,
        now(),
        'Signing in with B4B_PHONE and B4B_PASSWORD failed: ',
      );
      if (!signedIn.ok) return { error: signedIn.error };
      token = await sessionToken(ctx.session, now());
    }
    if (!token.ok) return { error: token.error };
    return { headers: { authorization: `Bearer ${token.login.accessToken}` } };
  };
}

/** Creates the B4B overrides. */
export function createB4bOverrides(config: B4bOverridesConfig = {}): BackendOverrides {
  const now = config.now ?? Date.now;
  const maxXmlBytes = config.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
  const backendLabel =
    config.backendUrl === undefined ? 'the Finizi B4B sandbox' : `Finizi B4B at ${config.backendUrl}`;
  const confirmation: ConfirmationSettings = {
    backendLabel,
    requireConfirmation: config.requireConfirmation === true,
    ...(config.credentials === undefined ? {} : { environmentPhone: config.credentials.phone }),
  };
  const confirm = (c: CallCode, tool: string) =>
    c.confirmWrite(tool, c.B4B_WRITES[tool] as (typeof c.B4B_WRITES)[string], confirmation);

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
      create_entity: { check: lazyCheck((c) => confirm(c, 'create_entity')) },
      update_entity: { check: lazyCheck((c) => confirm(c, 'update_entity')) },
      // Refused documents never reach the backend.
      import_invoice_xml: {
        check: lazyCheck((c) =>
          c.xmlImportCheck({
            now,
            maxXmlBytes,
            signsInFromEnvironment: config.credentials !== undefined,
            confirm: confirm(c, 'import_invoice_xml'),
          }),
        ),
      },
    },
    extraTools: [
      lazyTool(LOGIN_LISTING, (c) => c.loginTool({ now, backendLabel })),
      lazyTool(LOGOUT_LISTING, (c) => c.logoutTool(now)),
      lazyTool(WHOAMI_LISTING, (c) => c.whoamiTool(now)),
    ],
    // URL-mode sign-in: the page `login` opens; its form calls `login` with phone and password.
    pages: { [SIGN_IN_PAGE]: signInPageKind(backendLabel) },
    outboundAuth: sessionBearer(config.credentials, now),
    // A session that ends without `logout` (idle expiry, eviction, DELETE) still holds a live backend token:
    // revoke it, so that no token outlives the only place it was kept.
    onSessionEnd: async (ctx: CallContext, api: BackendApi): Promise<void> => {
      const { readLogin, isExpired, revokeToken } = await code();
      const login = ctx.session === undefined ? undefined : readLogin(ctx.session);
      if (login === undefined || isExpired(login, now())) return;
      const outcome = await revokeToken(api, ctx);
      if (!outcome.revoked) throw new Error(`B4B logout failed: ${outcome.why}`);
    },
    onUnauthorized: async (ctx: CallContext): Promise<{ error: string }> => {
      // On `login`, a 401 means wrong credentials, not an expired session.
      if (ctx.tool === 'login') return { error: LOGIN_FAILED };
      const { forgetLogin, SESSION_EXPIRED } = await code();
      if (ctx.session !== undefined) await forgetLogin(ctx.session);
      return { error: SESSION_EXPIRED };
    },
  };
}
