/**
 * Test helper: the Cloudflare Worker bundle (scripts/build-worker.mjs) served by workerd from npm, configured as
 * wrangler.toml deploys it — its compatibility date and flags, `worker.js` as the main ES module and every other
 * file of the bundle as a text module under the rules' globs (readable under /bundle), the given settings as text
 * bindings (a Worker's vars and secrets). workerd's own config format is Cap'n Proto text (workerd.capnp).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'smol-toml';
import { projectRoot } from '../../src/paths.js';

/**
 * The workerd binary of the npm package `workerd` (a pinned devDependency): its platform package's executable itself,
 * not the bin shim (without the package's postinstall a Node script), so that killing it leaves no workerd behind.
 */
export const WORKERD = (createRequire(import.meta.url)('workerd') as { default: string }).default;

/** What the test needs of wrangler.toml. */
interface WranglerConfig {
  compatibility_date: string;
  compatibility_flags?: string[];
  rules?: Array<{ type: string; globs: string[] }>;
}

/** Builds the bundle into `dir` with the same command wrangler runs; resolves with the files written. */
export async function buildWorkerBundle(dir: string): Promise<string[]> {
  const wrangler = readWrangler();
  await promisify(execFile)(process.execPath, [join(projectRoot(), 'scripts', 'build-worker.mjs'), dir], {
    cwd: projectRoot(),
  });
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) =>
    statSync(join(dir, file)).isFile(),
  );
  // Every data file must be uploaded by wrangler.toml's rules (a `**/*.<ext>` glob), or the deployed Worker lacks it.
  const textExtensions = new Set(
    (wrangler.rules ?? [])
      .filter((rule) => rule.type === 'Text')
      .flatMap((rule) => rule.globs.map((glob) => /^\*\*\/\*(\.\w+)$/.exec(glob)?.[1])),
  );
  const uncovered = files.filter((file) => file !== 'worker.js' && !textExtensions.has(extname(file)));
  if (uncovered.length > 0) throw new Error(`wrangler.toml's rules upload none of ${uncovered.join(', ')}`);
  return files;
}

/** Writes `<dir>/config-<port>.capnp` serving the bundle in `dir` on 127.0.0.1:`port`; returns its path. */
export function writeWorkerdConfig(
  dir: string,
  files: string[],
  port: number,
  settings: Readonly<Record<string, string>>,
): string {
  const wrangler = readWrangler();
  const text = (value: string): string => JSON.stringify(value);
  // The first module is the Worker's main module.
  const ordered = ['worker.js', ...files.filter((file) => file !== 'worker.js')];
  const modules = ordered.map((file) =>
    file === 'worker.js'
      ? `(name = ${text(file)}, esModule = embed ${text(file)})`
      : `(name = ${text(file)}, text = embed ${text(file)})`,
  );
  const bindings = Object.entries(settings).map(([name, value]) => `(name = ${text(name)}, text = ${text(value)})`);
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The Worker's outbound fetch: the backends run on this host (workerd allows public addresses only by default).
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(', ')}],
  compatibilityDate = ${text(wrangler.compatibility_date)},
  compatibilityFlags = [${(wrangler.compatibility_flags ?? []).map(text).join(', ')}],
  bindings = [${bindings.join(', ')}],
);
`;
  const file = join(dir, `config-${port}.capnp`);
  writeFileSync(file, config);
  return file;
}

function readWrangler(): WranglerConfig {
  return parse(readFileSync(join(projectRoot(), 'wrangler.toml'), 'utf8')) as unknown as WranglerConfig;
}
