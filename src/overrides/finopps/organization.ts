/**
 * Tenant selection for FinOpps: which organisation a call is scoped to, decided from the caller's
 * validated access-token claims only (RFC 9068 §2.2.3.1 "groups" style claim; AWS Cognito puts them in
 * `cognito:groups`). The model may only choose AMONG the caller's own organisations; messages never
 * reveal anything about other tenants (not even whether an id exists).
 */

/** Claim holding the caller's organisation ids by default (AWS Cognito user-pool groups). */
export const DEFAULT_ORGANIZATION_CLAIM = 'cognito:groups';

/**
 * The sandbox's demo organisations: those of the spec's examples (`components.parameters.OrganizationId` and the
 * business profile examples), so that a signed-in demo user sees the mock backend's example data.
 */
export const SANDBOX_ORGANISATIONS: ReadonlyArray<{ id: string; name: string }> = [
  { id: '0b6f3c1e-8d2a-4f5b-9c7e-1a2b3c4d5e6f', name: 'Acme Catering' },
  { id: '5e8d2f4a-3c1b-4a7e-8f9d-6b5c4a3e2d1f', name: 'Harbour Lane Bakery' },
];

/** The sandbox users' memberships under `claimName`: alice in the first organisation, bob in the second, carol in both. */
export function sandboxOrganisationClaims(
  claimName: string = DEFAULT_ORGANIZATION_CLAIM,
): Record<string, Record<string, unknown>> {
  const [first, second] = SANDBOX_ORGANISATIONS.map((o) => o.id) as [string, string];
  return { alice: { [claimName]: [first] }, bob: { [claimName]: [second] }, carol: { [claimName]: [first, second] } };
}

/** Outcome of {@link selectOrganization}. */
export type OrganizationChoice = { ok: true; organizationId: string } | { ok: false; error: string };

/** Input property through which a caller in several organisations picks one. */
export const ORGANIZATION_PROPERTY = 'organization';

/**
 * The caller's organisation ids from `claims[claimName]`: an array of strings, or a single string.
 * Anything else (missing, numbers, objects, empty strings) counts as no organisation. Order kept, deduplicated.
 */
export function organizationsOf(claims: Record<string, unknown>, claimName: string): string[] {
  const raw = claims[claimName];
  const values = Array.isArray(raw) ? raw : [raw];
  const ids = values.filter((value): value is string => typeof value === 'string' && value.trim() !== '');
  return [...new Set(ids)];
}

/**
 * Picks the organisation a call is scoped to.
 * - no organisation → error;
 * - `requested` given → it must be one of `organizations` (compared exactly), else an error that lists
 *   only the caller's own organisations;
 * - one organisation → that one;
 * - several and none requested → an error listing the caller's organisations to choose from.
 */
export function selectOrganization(organizations: readonly string[], requested: unknown): OrganizationChoice {
  if (organizations.length === 0) {
    return {
      ok: false,
      error:
        'Your account belongs to no organisation in FinOpps, so there is no data it may read. ' +
        'Ask a FinOpps administrator of your organisation to add you to it, then sign in again.',
    };
  }
  const choices = organizations.map((id) => `"${id}"`).join(', ');
  if (requested !== undefined && requested !== null) {
    if (typeof requested !== 'string') {
      return { ok: false, error: `${ORGANIZATION_PROPERTY}: must be a string (one of your organisation ids).` };
    }
    if (!organizations.includes(requested)) {
      // Same message whether or not such an organisation exists: nothing about other tenants leaks.
      return {
        ok: false,
        error:
          `${ORGANIZATION_PROPERTY}: must be one of your own organisations (${choices}); ` +
          'you can only read data of organisations your account belongs to.',
      };
    }
    return { ok: true, organizationId: requested };
  }
  const [only, ...others] = organizations;
  if (only !== undefined && others.length === 0) return { ok: true, organizationId: only };
  return {
    ok: false,
    error:
      `Your account belongs to several organisations in FinOpps: ${choices}. ` +
      `Call the tool again with \`${ORGANIZATION_PROPERTY}\` set to the id of the one you mean.`,
  };
}
