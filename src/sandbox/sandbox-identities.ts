/**
 * Demo data of the sandbox authorization server: the organisations, the users that can sign in (password-less),
 * and the two pre-registered OAuth clients (RFC 6749 §2: a confidential service client for the client
 * credentials grant, a public native client for `finmcp token`, RFC 8252). Sandbox only: these secrets protect
 * nothing but a loopback demo.
 *
 * The organisation ids are the demo organisations of the specs' examples (`components.parameters.OrganizationId`
 * and the business profile examples), so that a signed-in demo user sees the mock backend's example data.
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
  { id: '0b6f3c1e-8d2a-4f5b-9c7e-1a2b3c4d5e6f', name: 'Acme Catering' },
  { id: '5e8d2f4a-3c1b-4a7e-8f9d-6b5c4a3e2d1f', name: 'Harbour Lane Bakery' },
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
