import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORGANIZATION_CLAIM,
  organizationsOf,
  selectOrganization,
} from '../../../src/overrides/finopps/organization.js';

describe('organizationsOf', () => {
  const cases: Array<{ given: string; claims: Record<string, unknown>; claim?: string; want: string[] }> = [
    { given: 'an array claim', claims: { 'cognito:groups': ['org-a', 'org-b'] }, want: ['org-a', 'org-b'] },
    { given: 'a single string claim', claims: { 'cognito:groups': 'org-a' }, want: ['org-a'] },
    { given: 'a missing claim', claims: { sub: 'u1' }, want: [] },
    {
      given: 'non-string and empty entries',
      claims: { 'cognito:groups': ['org-a', 3, '', ' ', null, {}] },
      want: ['org-a'],
    },
    { given: 'duplicates', claims: { 'cognito:groups': ['org-a', 'org-a', 'org-b'] }, want: ['org-a', 'org-b'] },
    { given: 'a number claim', claims: { 'cognito:groups': 7 }, want: [] },
    { given: 'a custom claim name', claims: { orgs: ['x'], 'cognito:groups': ['y'] }, claim: 'orgs', want: ['x'] },
  ];
  it.each(cases)('$given', ({ claims, claim, want }) => {
    expect(organizationsOf(claims, claim ?? DEFAULT_ORGANIZATION_CLAIM)).toEqual(want);
  });
});

describe('selectOrganization', () => {
  const cases: Array<{
    given: string;
    orgs: string[];
    requested?: unknown;
    want: { organizationId: string } | { includes: string[]; excludes?: string[] };
  }> = [
    { given: 'one organisation, none requested', orgs: ['org-a'], want: { organizationId: 'org-a' } },
    {
      given: 'one organisation, that one requested',
      orgs: ['org-a'],
      requested: 'org-a',
      want: { organizationId: 'org-a' },
    },
    {
      given: 'several, one of them requested',
      orgs: ['org-a', 'org-b'],
      requested: 'org-b',
      want: { organizationId: 'org-b' },
    },
    {
      given: 'several, none requested',
      orgs: ['org-a', 'org-b'],
      want: { includes: ['several organisations', '"org-a"', '"org-b"', '`organization`'] },
    },
    {
      given: 'a requested organisation the caller does not belong to',
      orgs: ['org-a'],
      requested: 'org-victim',
      want: { includes: ['organization', 'your own organisations', '"org-a"'], excludes: ['org-victim'] },
    },
    {
      given: 'a requested id differing only in case',
      orgs: ['org-a'],
      requested: 'ORG-A',
      want: { includes: ['organization', 'your own organisations'], excludes: ['ORG-A'] },
    },
    {
      given: 'a non-string request',
      orgs: ['org-a'],
      requested: 5,
      want: { includes: ['organization', 'must be a string'] },
    },
    {
      given: 'no organisation',
      orgs: [],
      want: { includes: ['Your account belongs to no organisation in FinOpps'] },
    },
    {
      given: 'no organisation even when one is requested',
      orgs: [],
      requested: 'org-a',
      want: { includes: ['Your account belongs to no organisation in FinOpps'], excludes: ['org-a'] },
    },
  ];
  it.each(cases)('$given', ({ orgs, requested, want }) => {
    const got = selectOrganization(orgs, requested);
    if ('organizationId' in want) {
      expect(got).toEqual({ ok: true, organizationId: want.organizationId });
      return;
    }
    expect(got.ok).toBe(false);
    if (got.ok) return;
    for (const fragment of want.includes) expect(got.error).toContain(fragment);
    for (const fragment of want.excludes ?? []) expect(got.error).not.toContain(fragment);
  });
});
