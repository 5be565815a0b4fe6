/**
 * The audit hash chain (src/audit/chain.ts), table-driven: intact chains verify; every kind of tampering (an edited
 * value, a deleted record, an inserted one, two swapped, an edited-and-rehashed one, a removed first record, a line
 * that is not a record, a truncated line) is caught at the right line, named with its request id.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainLine, claimedHash, GENESIS, verifyLines } from '../../src/audit/chain.js';

/** A chain of `n` records with request ids r1…rn. */
function chain(n: number): string[] {
  const lines: string[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const { line, hash } = chainLine(
      { requestId: `r${i}`, tool: 'create_entity', outcome: 'ok', args: { values: { name: `Entity ${i}` } } },
      prev,
    );
    lines.push(line);
    prev = hash;
  }
  return lines;
}

/** Line `i` with its hash recomputed over the edited content, as a careful forger would. */
function rehash(line: string): string {
  const inner = `{${line.slice('{"hash":"'.length + 64 + 2)}`;
  return `{"hash":"${createHash('sha256').update(inner).digest('hex')}",${inner.slice(1)}`;
}

type Case = [
  name: string,
  tamper: (lines: string[]) => string[],
  badLine: number,
  requestId: string | null,
  reason: RegExp,
];

const cases: Case[] = [
  [
    'an edited value',
    (l) => l.map((x, i) => (i === 2 ? x.replace('Entity 3', 'Entity 9') : x)),
    3,
    'r3',
    /content does not match its hash/,
  ],
  [
    'an edited outcome',
    (l) => l.map((x, i) => (i === 4 ? x.replace('"outcome":"ok"', '"outcome":"backend_error"') : x)),
    5,
    'r5',
    /does not match its hash/,
  ],
  ['a deleted record', (l) => l.filter((_, i) => i !== 2), 3, 'r4', /does not follow the record before it/],
  ['the last two swapped', (l) => [...l.slice(0, 3), l[4]!, l[3]!], 4, 'r5', /does not follow/],
  [
    'a record inserted from another chain',
    (l) => [...l.slice(0, 2), chain(1)[0]!, ...l.slice(2)],
    3,
    'r1',
    /does not follow/,
  ],
  [
    'an edited record re-hashed',
    (l) => l.map((x, i) => (i === 1 ? rehash(x.replace('Entity 2', 'Entity 7')) : x)),
    3,
    'r3',
    /does not follow/,
  ],
  ['the first record removed', (l) => l.slice(1), 1, 'r2', /first in the file but does not start a chain/],
  [
    'a line that is not a record',
    (l) => [...l.slice(0, 2), '{"requestId":"r-forged","outcome":"ok"}', ...l.slice(2)],
    3,
    'r-forged',
    /not an audit record/,
  ],
  ['a line cut short', (l) => l.map((x, i) => (i === 3 ? x.slice(0, x.length - 10) : x)), 4, 'r4', /not valid JSON/],
];

describe('audit chain', () => {
  it.each([0, 1, 5])('verifies an intact chain of %i records (blank lines and a trailing newline are fine)', (n) => {
    const lines = chain(n);
    const verdict = verifyLines([...lines, '', '']);
    expect(verdict).toEqual({ ok: true, records: n, lastHash: n === 0 ? GENESIS : claimedHash(lines.at(-1)!) });
  });

  it.each(cases)('catches %s at the right line, naming its request id', (_, tamper, badLine, requestId, reason) => {
    const verdict = verifyLines(tamper(chain(5)));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.line).toBe(badLine);
    expect(verdict.requestId).toBe(requestId);
    expect(verdict.reason).toMatch(reason);
    expect(verdict.records).toBe(badLine - 1);
  });

  it('continues a chain from a given hash (a file written before a restart)', () => {
    const first = chain(2);
    const { line } = chainLine({ requestId: 'r3' }, claimedHash(first[1]!)!);
    expect(verifyLines([line], claimedHash(first[1]!)).ok).toBe(true);
    expect(verifyLines([...first, line]).ok).toBe(true);
  });

  it('hashes the line as written: the hash member comes first, the record carries prev', () => {
    const { line, hash } = chainLine({ requestId: 'x' }, GENESIS);
    expect(line).toBe(`{"hash":"${hash}","prev":"${GENESIS}","requestId":"x"}`);
    expect(hash).toBe(createHash('sha256').update(`{"prev":"${GENESIS}","requestId":"x"}`).digest('hex'));
  });
});
