/**
 * contract/spec-files.ts, the one place `finmcp generate` (listSpecs) and `finmcp mock` (findSpec) learn where a
 * backend's description is: whatever file or folder form one reads, the other finds under the same name.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSpec, listSpecs, specName } from '../../contract/spec-files.js';

const specsDir = mkdtempSync(join(tmpdir(), 'finmcp-spec-files-'));
afterAll(() => rmSync(specsDir, { recursive: true, force: true }));

/** Each form a description may take, by the backend name it is served under. */
const FORMS = [
  { name: 'a', path: 'a.yaml' },
  { name: 'b', path: 'b.yml' },
  { name: 'c', path: 'c.json' },
  { name: 'd', path: 'd/openapi.yaml' },
  { name: 'e', path: 'e/openapi.yml' },
  { name: 'f', path: 'f/openapi.json' },
];
for (const { path } of FORMS) {
  mkdirSync(join(specsDir, path, '..'), { recursive: true });
  writeFileSync(join(specsDir, path), '{}');
}
// A folder's other files are parts of its description, never specs of their own; other extensions are not specs.
writeFileSync(join(specsDir, 'd', 'schemas.yaml'), '{}');
writeFileSync(join(specsDir, 'notes.txt'), '');

describe('spec files', () => {
  it('generate lists every form, once each', () => {
    expect(listSpecs(specsDir).map((file) => specName(specsDir, file))).toEqual(FORMS.map((form) => form.name));
  });

  it.each(FORMS)('mock finds $path as backend $name, the file generate reads', ({ name, path }) => {
    expect(findSpec(specsDir, name)).toBe(join(specsDir, path));
    expect(listSpecs(specsDir)).toContain(findSpec(specsDir, name));
  });

  it('finds nothing for a name with no description', () => {
    expect(findSpec(specsDir, 'schemas')).toBeUndefined();
    expect(findSpec(specsDir, 'notes')).toBeUndefined();
  });
});
