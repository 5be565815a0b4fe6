/**
 * Type-checks a freshly rendered `schema.gen.ts` before it is written, with the TypeScript compiler the project
 * type-checks `generated/` with (`npm run typecheck`), under the same strictness. openapi-typescript translates
 * what OpenAPI allows into TypeScript that `tsc` sometimes refuses (references into `components.parameters.*.schema`,
 * `WithRequired` over nullable schemas, …); a generate that reported success and then broke the project's own
 * type-check is worse than one that says so. A file that does not compile is emitted with `// @ts-nocheck` — its
 * types are looser (what `tsc` cannot check it does not enforce) and the rest of the project still type-checks —
 * and the generator reports the first diagnostics with the line of the generated type they are about.
 *
 * Only files that differ from what is on disk are checked (a committed file was checked when it was written), so
 * `generate --check` on an unchanged tree pays nothing.
 */
import type { CompilerOptions } from 'typescript';
import type { JsonObject } from '../schema/json.js';
import { renderTypesFile } from './types-file.js';

/** Whatever is written at the top of a file that did not compile, after the header. */
export const NO_CHECK = '// @ts-nocheck — tsc refused these types; finmcp generate reported why';

/** Diagnostics shown per spec; the rest are counted. */
const SHOWN = 3;

/** The strict options of the project's tsconfig that bear on a declaration-only file. */
const OPTIONS: CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: true,
  isolatedModules: true,
  types: [],
  // The types use nothing beyond ES5's utility types (Record, NonNullable, Partial): the smallest library loads fastest.
  lib: ['lib.es5.d.ts'],
};

/** `tsc`'s complaints about one file, as report lines ("line 12: TS2339 Property 'x' does not exist … | <code>"). */
export async function typeErrors(fileName: string, content: string): Promise<string[]> {
  const ts = (await import('typescript')).default;
  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.readFile = (name) => (name === fileName ? content : readFile(name));
  host.getSourceFile = (name, version, onError, create) =>
    name === fileName
      ? ts.createSourceFile(name, content, version, true)
      : getSourceFile(name, version, onError, create);
  const program = ts.createProgram([fileName], OPTIONS, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const lines = content.split('\n');
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file === undefined || diagnostic.start === undefined) return `TS${diagnostic.code} ${message}`;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const code = (lines[line] ?? '').trim().slice(0, 120);
    return `line ${line + 1}: TS${diagnostic.code} ${message} | ${code}`;
  });
}

/** The report's warning for a types file that did not compile. */
export function typeErrorWarning(file: string, errors: readonly string[]): string {
  const more = errors.length > SHOWN ? `; … ${errors.length - SHOWN} more` : '';
  return `${file}: tsc refused ${errors.length} generated type${errors.length === 1 ? '' : 's'}, emitted with // @ts-nocheck (looser types): ${errors.slice(0, SHOWN).join('; ')}${more}`;
}

/** `content` with {@link NO_CHECK} after its header line. */
export function withoutTypeCheck(content: string): string {
  const newline = content.indexOf('\n');
  return `${content.slice(0, newline + 1)}${NO_CHECK}\n${content.slice(newline + 1)}`;
}

/**
 * `schema.gen.ts` for a bundled spec, type-checked unless it equals `committed` (the file on disk), and the warning
 * when `tsc` refused it.
 */
export async function renderCheckedTypesFile(
  document: JsonObject,
  source: string,
  committed: string | undefined,
): Promise<{ content: string; warning?: string }> {
  const content = await renderTypesFile(document, source);
  if (content === committed) return { content };
  const errors = await typeErrors('schema.gen.ts', content);
  if (errors.length === 0) return { content };
  return { content: withoutTypeCheck(content), warning: typeErrorWarning('schema.gen.ts', errors) };
}
