/**
 * Fails when a function in src/ spans more than 80 lines, from its first line to its closing brace, nested
 * functions included (issue 22: long closures become named steps). Biome's noExcessiveLinesPerFunction is not
 * enough: it leaves nested functions' lines out of their parent's count, so a 260-line closure made of inner
 * functions passes it. Run by `npm run lint:code`; reads the TypeScript sources with the compiler's parser only.
 *
 * Usage: node scripts/check-function-length.mjs [--max N] [folder ...]   (default: --max 80 src)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max');
const max = maxAt === -1 ? 80 : Number(args.splice(maxAt, 2)[1]);
const roots = args.length > 0 ? args : ['src'];

/** Every .ts file under `dir` (declaration files hold no function bodies). */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A readable name for a function node: its own, or the variable, property or method it is assigned to. */
function nameOf(node) {
  if (node.name !== undefined) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

const tooLong = [];
for (const file of roots.flatMap(sourceFiles)) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) tooLong.push(`${relative('.', file)}:${first + 1} ${nameOf(node)}: ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

if (tooLong.length > 0) {
  process.stderr.write(`Functions over ${max} lines (split them into named steps):\n${tooLong.join('\n')}\n`);
  process.exit(1);
}
