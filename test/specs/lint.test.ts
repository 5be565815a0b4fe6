/**
 * Redocly lint (OpenAPI 3.1) of every contract in specs/ with the repo's redocly.yaml: zero errors and zero
 * warnings; and proof that the config's convention rules catch what they claim to (a spec broken on purpose).
 * The only place `npm test` lints the specs (`npm run lint:specs` is the same lint for a quick look by hand).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

// The mutations poke into the parsed YAML by path; `any` keeps each of them a one-liner.
type Node = Record<string, any>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, 'redocly.yaml');
const SPECS = ['specs/finopps.yaml', 'specs/b4b.yaml'].filter((f) => existsSync(join(ROOT, f)));

interface LintResult {
  status: number | null;
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string }>;
}

/** Runs the Redocly CLI from node_modules on one file; bounded by a timeout. */
function lint(file: string): LintResult {
  const manifest = createRequire(import.meta.url).resolve('@redocly/cli/package.json');
  const cli = join(dirname(manifest), 'bin/cli.js');
  const run = spawnSync(process.execPath, [cli, 'lint', file, '--config', CONFIG, '--format=json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  const report = JSON.parse(json) as Omit<LintResult, 'status'>;
  return { status: run.status, totals: report.totals, problems: report.problems };
}

describe('redocly lint', () => {
  it('finds at least the FinOpps contract', () => {
    expect(SPECS).toContain('specs/finopps.yaml');
  });

  it.each(SPECS)('%s has no errors and no warnings', (file) => {
    const result = lint(file);
    expect(result.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(result.status).toBe(0);
  });
});

describe('redocly.yaml enforces the spec conventions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finmcp-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const original = readFileSync(join(ROOT, 'specs/finopps.yaml'), 'utf8');
  const business = (doc: Node): Node => doc.paths['/organizations/{organizationId}/business'].get;

  it.each([
    {
      given: '`nullable: true`',
      mutate: (doc: Node) =>
        (doc.components.schemas.Invoice.properties.notes = { type: 'string', nullable: true, description: 'n' }),
      want: 'rule/no-nullable-keyword',
    },
    {
      given: '`format: decimal`',
      mutate: (doc: Node) => (doc.components.schemas.Money.properties.amount.format = 'decimal'),
      want: 'rule/known-formats-only',
    },
    {
      given: 'a camelCase operationId',
      mutate: (doc: Node) => (business(doc).operationId = 'getBusiness'),
      want: 'rule/operation-id-snake-case',
    },
    {
      given: 'an operation without a description',
      mutate: (doc: Node) => delete business(doc).description,
      want: 'operation-description',
    },
    {
      given: 'a 4xx response that is not a problem document',
      mutate: (doc: Node) => {
        const notFound = doc.components.responses.NotFound;
        notFound.content = { 'application/json': notFound.content['application/problem+json'] };
      },
      want: 'operation-4xx-problem-details-rfc7807',
    },
    {
      given: 'an example amount written as a float',
      mutate: (doc: Node) => (doc.components.examples.Invoice1429.value.total.amount = 1915.84),
      want: 'no-invalid-media-type-examples',
    },
    {
      given: 'an example with a misspelt property',
      mutate: (doc: Node) => (doc.components.examples.AcmeCateringBusiness.value.taxrate = '8.25'),
      want: 'no-invalid-media-type-examples',
    },
  ])('fails a spec with $given ($want)', ({ given, mutate, want }) => {
    const doc = parse(original) as Node;
    mutate(doc);
    const file = join(dir, `${want.replace(/\W/g, '-')}-${given.length}.yaml`);
    writeFileSync(file, stringify(doc));
    const result = lint(file);
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => p.ruleId)).toContain(want);
    expect(result.status).not.toBe(0);
  });
});
