/**
 * Which modules a Node process has loaded, for the tests that keep start-up lean (test/overrides/cold-start.test.ts,
 * test/observability/lazy-load.test.ts): Node flags that make a process append the URL of every module it resolves
 * to a file (a Node.js Customization Hooks `resolve` hook, run in the hooks thread), and readers of that file. The
 * append is synchronous and done before the module loads, so once an `import` has settled, or an answer that needed a
 * module has been written, that module is in the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable naming the file the hook appends to. */
const LOG_VARIABLE = 'FINMCP_TEST_MODULE_LOG';

const HOOKS = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}`;

const REGISTER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), import.meta.url, {
  data: { file: process.env.${LOG_VARIABLE} },
});`;

/** Parts of module URLs to look for, by a name the test's expectations use. */
export type ModuleParts = Readonly<Record<string, string>>;

/** Which of `parts` occur in the module URLs of `log` (the text of a module log). */
function partsIn(log: string, parts: ModuleParts): Record<string, boolean> {
  return Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, log.includes(part)]));
}

/**
 * Source of a function `loaded(parts)` for a script run in a recording process: which of `parts` (an object of
 * name → URL part) it has loaded so far, read from its own module log.
 */
export const LOADED_IN_CHILD = `const loaded = async (parts) => {
  const log = (await import('node:fs')).readFileSync(process.env.${LOG_VARIABLE}, 'utf8');
  return Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, log.includes(part)]));
};`;

/** A module log in a scratch folder of its own; `remove()` deletes it. */
export class ModuleLog {
  readonly file: string;
  readonly #dir: string;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'finmcp-modules-'));
    this.file = join(this.#dir, 'modules.log');
  }

  /** Node flags that make a process record into this log (put them before the script). */
  get execArgv(): string[] {
    return ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`];
  }

  /** The environment variable the recording process needs. */
  get env(): Record<string, string> {
    return { [LOG_VARIABLE]: this.file };
  }

  /** Which of `parts` the recording process has loaded so far. */
  loaded(parts: ModuleParts): Record<string, boolean> {
    let log = '';
    try {
      log = readFileSync(this.file, 'utf8');
    } catch {
      // Nothing recorded yet.
    }
    return partsIn(log, parts);
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
