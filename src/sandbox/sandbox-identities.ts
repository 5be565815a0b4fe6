/**
 * Demo data of the sandbox authorization server: the organisations, the users that can sign in (password-less),
 * and the two pre-registered OAuth clients (RFC 6749 §2: a confidential service client for the client
 * credentials grant, a public native client for `finmcp token`, RFC 8252). Sandbox only: these secrets protect
 * nothing but a loopback demo.
 *
 * The organisation ids are the ones used in the examples of `specs/finopps.yaml`, so that a signed-in demo user
 * can see the mock backend's example data.
 */

/** An organisation users belong to. */
export interface SandboxOrganisation {
  id: string;
  name: string;
}

/** A user the sandbox login page offers. */
export interface SandboxIdentity {
  /** Login name and token `sub`. */
  id: string;
  /** Claims put into every access token issued to this user (and the userinfo/ID token). */
  claims: Record<string, unknown>;
}

/** Demo organisations. */
export const SANDBOX_ORGANISATIONS: readonly SandboxOrganisation[] = [
  { id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', name: 'Acme Trading Ltd' },
  { id: '8d2b6f1e-4c3a-4e5b-9f7d-1a2b3c4d5e6f', name: 'Globex Holdings BV' },
];

const [FIRST_ORG, SECOND_ORG] = SANDBOX_ORGANISATIONS.map((o) => o.id) as [string, string];

/** Demo users: alice in the first organisation, bob in the second, carol in both. */
export const SANDBOX_IDENTITIES: readonly SandboxIdentity[] = [
  { id: 'alice', claims: { email: 'alice@example.com', name: 'Alice Example', 'cognito:groups': [FIRST_ORG] } },
  { id: 'bob', claims: { email: 'bob@example.com', name: 'Bob Example', 'cognito:groups': [SECOND_ORG] } },
  { id: 'carol', claims: { email: 'carol@example.com', name: 'Carol Example', 'cognito:groups': [FIRST_ORG, SECOND_ORG] } },
];

/** Confidential client allowed the client credentials grant (the MCP server's own backend service token). */
export const SANDBOX_SERVICE_CLIENT = { id: 'finmcp-service', secret: 'sandbox-service-secret' } as const;

/**
 * Public native client used by `finmcp token`: PKCE, no secret. The redirect URI is a loopback one (RFC 8252
 * §7.3; any port is accepted) that nobody listens on: the sandbox login is driven over HTTP and the code is read
 * from the redirect itself.
 */
export const SANDBOX_CLI_CLIENT = { id: 'finmcp-cli', redirectUri: 'http://127.0.0.1/callback' } as const;
