/**
 * `npm ci`/`npm install` postinstall: installs the pinned MCP conformance suite and the Node 22 it needs
 * (test/conformance/suite/package-lock.json) into their own folder, so `npm test` runs it with no network, and
 * the project's own `node_modules/.bin` gets no `node` of another version (the suite's Node stays in its folder).
 * Skipped for installations without devDependencies (`--omit=dev`): they run no tests. Nothing is done when the
 * folder already holds exactly what the lock names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const suite = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'conformance', 'suite');
const omitted = `${process.env.npm_config_omit ?? ''}`.split(/[\s,]+/);
if (omitted.includes('dev') || process.env.npm_config_production === 'true' || process.env.NODE_ENV === 'production')
  process.exit(0);

/** The installed tree matches the lock: same packages at the same versions. */
function installed() {
  const marker = join(suite, 'node_modules', '.package-lock.json');
  if (!existsSync(marker) || !existsSync(join(suite, 'node_modules', 'node', 'bin', 'node'))) return false;
  const want = JSON.parse(readFileSync(join(suite, 'package-lock.json'), 'utf8')).packages;
  const have = JSON.parse(readFileSync(marker, 'utf8')).packages;
  return Object.entries(want).every(([path, pkg]) => path === '' || have[path]?.version === pkg.version);
}

if (!installed()) {
  const npm = process.env.npm_execpath;
  const [command, args] = npm?.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  const result = spawnSync(command, [...args, 'ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: suite,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write(
      'finmcp: installing the MCP conformance suite (test/conformance/suite) failed; npm test needs it\n',
    );
    process.exit(result.status ?? 1);
  }
}
