/**
 * The sandbox's users are generic; what a backend needs in their tokens comes from its module (e.g. FinOpps'
 * organisations under its configured claim), merged without changing the generic list.
 */
import { describe, expect, it } from 'vitest';
import { Settings } from '../../src/config.js';
import { backendModules } from '../../src/overrides/index.js';
import { SANDBOX_ORGANISATIONS } from '../../src/overrides/finopps/organization.js';
import { SANDBOX_IDENTITIES, withBackendClaims } from '../../src/sandbox/sandbox-identities.js';
import { sandboxIdentities } from '../../src/cli/serve/serve-sandbox.js';

const [FIRST, SECOND] = SANDBOX_ORGANISATIONS.map((o) => o.id);

describe('sandbox identities', () => {
  it('carry no backend claims of their own', () => {
    for (const identity of SANDBOX_IDENTITIES) expect(Object.keys(identity.claims).sort()).toEqual(['email', 'name']);
  });

  it.each([
    { given: 'the default claim', env: {}, claim: 'cognito:groups' },
    { given: 'FINOPPS_ORG_CLAIM=orgs', env: { FINOPPS_ORG_CLAIM: 'orgs' }, claim: 'orgs' },
  ])("get FinOpps' organisations from its module under $given", ({ env, claim }) => {
    const identities = sandboxIdentities(
      [backendModules['finopps'], backendModules['b4b'], undefined],
      new Settings(env),
    );
    const byId = Object.fromEntries(identities.map((i) => [i.id, i.claims]));
    expect(byId['alice']).toEqual({ email: 'alice@example.com', name: 'Alice Example', [claim]: [FIRST] });
    expect(byId['bob']?.[claim]).toEqual([SECOND]);
    expect(byId['carol']?.[claim]).toEqual([FIRST, SECOND]);
  });

  it('merges claims only into the users they name', () => {
    const merged = withBackendClaims(SANDBOX_IDENTITIES, [{ bob: { role: 'admin' } }]);
    expect(merged.find((i) => i.id === 'bob')?.claims['role']).toBe('admin');
    expect(merged.find((i) => i.id === 'alice')?.claims['role']).toBeUndefined();
    expect(SANDBOX_IDENTITIES.find((i) => i.id === 'bob')?.claims['role']).toBeUndefined();
  });
});
