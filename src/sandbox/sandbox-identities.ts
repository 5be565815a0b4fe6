/**
 * Demo data of the sandbox authorization server: the users that can sign in (password-less) and the two
 * pre-registered OAuth clients (RFC 6749 §2: a confidential service client for the client credentials grant, a
 * public native client for `finmcp token`, RFC 8252). Sandbox only: these secrets protect nothing but a loopback
 * demo. What a backend needs in its users' tokens (tenants, roles) comes from that backend's overrides.
 */

/** A user the sandbox login page offers. */
export interface SandboxIdentity {
  /** Login name and token `sub`. */
  id: string;
  /** Claims put into every access token issued to this user (and the userinfo/ID token). */
  claims: Record<string, unknown>;
}

/** Demo users. Backends add what their tokens must carry (e.g. organisations) through {@link withBackendClaims}. */
export const SANDBOX_IDENTITIES: readonly SandboxIdentity[] = [
  { id: 'alice', claims: { email: 'alice@example.com', name: 'Alice Example' } },
  { id: 'bob', claims: { email: 'bob@example.com', name: 'Bob Example' } },
  { id: 'carol', claims: { email: 'carol@example.com', name: 'Carol Example' } },
];

/** Extra claims per user id, as a backend's overrides declare them for the sandbox. */
export type SandboxClaims = Readonly<Record<string, Record<string, unknown>>>;

/** `identities` with each backend's extra claims added to the users they name. */
export function withBackendClaims(
  identities: readonly SandboxIdentity[],
  extra: Iterable<SandboxClaims>,
): SandboxIdentity[] {
  const all = [...extra];
  return identities.map((identity) => ({
    id: identity.id,
    claims: Object.assign({}, identity.claims, ...all.map((claims) => claims[identity.id] ?? {})) as Record<
      string,
      unknown
    >,
  }));
}

/** Confidential client allowed the client credentials grant (the MCP server's own backend service token). */
export const SANDBOX_SERVICE_CLIENT = { id: 'finmcp-service', secret: 'sandbox-service-secret' } as const;

/**
 * Public native client used by `finmcp token`: PKCE, no secret. The redirect URI is a loopback one (RFC 8252
 * §7.3; any port is accepted) that nobody listens on: the sandbox login is driven over HTTP and the code is read
 * from the redirect itself.
 */
export const SANDBOX_CLI_CLIENT = { id: 'finmcp-cli', redirectUri: 'http://127.0.0.1/callback' } as const;
