/**
 * Tenant selection for FinOpps: which organisation a call is scoped to, decided from the caller's
 * validated access-token claims only (RFC 9068 §2.2.3.1 "groups" style claim; AWS Cognito puts them in
 * `cognito:groups`). The model may only choose AMONG the caller's own organisations; messages never
 * reveal anything about other tenants (not even whether an id exists).
 */

/** Claim holding the caller's organisation ids by default (AWS Cognito user-pool groups). */
export const DEFAULT_ORGANIZATION_CLAIM = 'cognito:groups';

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
