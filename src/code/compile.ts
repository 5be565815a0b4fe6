/**
 * Turns a model's program into what the sandbox runs: type-checked against the `api` declarations
 * (api-declarations.ts) by an in-memory TypeScript LanguageService, then emitted as plain JavaScript (types
 * stripped). Type errors come back with their line and column in the program as written, before anything runs, so
 * the model can fix the call it got wrong.
 *
 * The program is the body of an async function (`await` and `return` work at its top level); it is wrapped on its
 * own first line, so line numbers stay the model's. The libraries are ES2022 only — no DOM, no Node types — so
 * `fetch`, `setTimeout` or `process` are already errors here. One service per served API: the libraries and the
 * declarations are parsed once, a run re-checks only the program.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TS from 'typescript';

/** Text put before the program: the sandbox evaluates the emitted script and awaits its completion value. */
const PREFIX = '(async () => {';
const SUFFIX = '\n})()';

/** The program's language: TypeScript (checked strictly as TypeScript) or JavaScript (checked as `checkJs` does). */
export type ProgramLanguage = 'typescript' | 'javascript';

/** What compiling one program gave. */
type Compiled = { ok: true; js: string } | { ok: false; errors: string[] };

/** Most type errors reported at once. */
const MAX_ERRORS = 10;

/** A checker for programs against one `api` declaration file. */
export interface ProgramCompiler {
  compile(code: string, language: ProgramLanguage): Compiled;
}

let typescript: typeof TS | undefined;

/** TypeScript, loaded on the first use of code mode (it is large; servers without `--code` never load it). */
function ts(): typeof TS {
  typescript ??= createRequire(import.meta.url)('typescript') as typeof TS;
  return typescript;
}

/** The plain program as the sandbox evaluates it, without checking (for tests of the sandbox alone). */
export function wrapProgram(js: string): string {
  return `${PREFIX}${js}${SUFFIX}`;
}

/** Creates the compiler for an API whose declarations are `declarations`. */
export function createProgramCompiler(declarations: string): ProgramCompiler {
  const t = ts();
  const options: TS.CompilerOptions = {
    target: t.ScriptTarget.ES2022,
    module: t.ModuleKind.None,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: false,
    noImplicitAny: false,
    allowJs: true,
    checkJs: true,
    noEmitOnError: false,
    removeComments: true,
    skipLibCheck: true,
    isolatedModules: false,
    noResolve: true,
  };
  const libDir = dirname(t.getDefaultLibFilePath(options));
  const files = new Map<string, { text: string; version: number }>([['/api.d.ts', { text: declarations, version: 1 }]]);
  let programFile = '/program.ts';
  const snapshots = new Map<string, TS.IScriptSnapshot>();
  const host: TS.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => ['/api.d.ts', programFile],
    getScriptVersion: (name) => String(files.get(name)?.version ?? 0),
    getScriptSnapshot: (name) => {
      const own = files.get(name);
      if (own !== undefined) return t.ScriptSnapshot.fromString(own.text);
      let snapshot = snapshots.get(name);
      if (snapshot === undefined) {
        const text = t.sys.readFile(name);
        if (text === undefined) return undefined;
        snapshot = t.ScriptSnapshot.fromString(text);
        snapshots.set(name, snapshot);
      }
      return snapshot;
    },
    getCurrentDirectory: () => '/',
    getDefaultLibFileName: (o) => join(libDir, t.getDefaultLibFileName(o)),
    fileExists: (name) => files.has(name) || t.sys.fileExists(name),
    readFile: (name) => files.get(name)?.text ?? t.sys.readFile(name),
  };
  const service = t.createLanguageService(host, t.createDocumentRegistry());
  let version = 1;

  return {
    compile(code, language) {
      const name = language === 'javascript' ? '/program.js' : '/program.ts';
      if (name !== programFile) files.delete(programFile);
      programFile = name;
      files.set(name, { text: `${PREFIX}${code}${SUFFIX}`, version: ++version });
      const diagnostics = [...service.getSyntacticDiagnostics(name), ...service.getSemanticDiagnostics(name)];
      if (diagnostics.length > 0) {
        const errors = diagnostics.slice(0, MAX_ERRORS).map((d) => describeDiagnostic(t, d));
        if (diagnostics.length > MAX_ERRORS) errors.push(`… and ${diagnostics.length - MAX_ERRORS} more`);
        return { ok: false, errors };
      }
      const output = service.getEmitOutput(name).outputFiles.find((file) => file.name.endsWith('.js'));
      if (output === undefined) return { ok: false, errors: ['the program could not be compiled'] };
      return { ok: true, js: output.text };
    },
  };
}

/** `line L, column C: message`, positions as in the program the model wrote. */
function describeDiagnostic(t: typeof TS, d: TS.Diagnostic): string {
  const message = t.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return message;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const column = line === 0 ? character - PREFIX.length : character;
  if (column < 0 || d.start >= d.file.text.length - SUFFIX.length + 1) return `at the end of the program: ${message}`;
  return `line ${line + 1}, column ${column + 1}: ${message}`;
}
