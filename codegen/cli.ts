/**
 * `finmcp generate [--check] [--json]`: the generator's own command line. `bin/finmcp.js` hands it every `generate`
 * before the runtime's CLI loads, so serving never loads the generator, and the generator's libraries are
 * devDependencies a served installation (`npm ci --omit=dev`) does without.
 */
import { Command } from 'commander';

/** The packages the generator needs beyond the runtime's (package.json devDependencies). */
const LIBRARIES = ['openapi-typescript', '@redocly/openapi-core', '@hey-api/json-schema-ref-parser', 'typescript'];

/** Runs `generate` with `process.argv`-style arguments (`node finmcp.js generate …`). Sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('finmcp').exitOverride((error) => {
    process.exitCode = error.exitCode;
    throw error;
  });
  program
    .command('generate')
    .description('regenerate generated/ and docs/tools.md from specs/*.yaml, and report what changed for clients')
    .option('--check', 'write nothing; fail naming each stale file')
    .option('--json', 'print the change report as JSON')
    .action(async (options: { check?: boolean; json?: boolean }) => {
      const generator = await loadGenerator();
      if (generator === undefined) return;
      const result = await generator.runGenerate({
        root: process.cwd(),
        check: options.check === true,
        json: options.json === true,
      });
      if (result.output) process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
      process.exitCode = result.exitCode;
    });
  try {
    await program.parseAsync(argv);
  } catch {
    // commander has printed the usage error (or the help) and set the exit code.
  }
}

/** The generator, or undefined (with one line on stderr naming what to install) when its libraries are missing. */
async function loadGenerator(): Promise<typeof import('./generate.js') | undefined> {
  try {
    return await import('./generate.js');
  } catch (error) {
    const missing = missingPackage(error);
    if (missing === undefined) throw error;
    process.stderr.write(
      `finmcp generate: the generator's library ${missing} is not installed; install the devDependencies (\`npm install\`, not --omit=dev): ${LIBRARIES.join(', ')}\n`,
    );
    process.exitCode = 1;
    return undefined;
  }
}

/** The package an ES module import could not find (Node's ERR_MODULE_NOT_FOUND "Cannot find package 'x'"). */
function missingPackage(error: unknown): string | undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find package '([^']+)'/.exec((error as Error).message)?.[1];
}
