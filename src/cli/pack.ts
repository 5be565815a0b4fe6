/**
 * `finmcp pack <backend…>`: one MCP Bundle (`.mcpb`, installed with one click in Claude Desktop and other MCPB hosts)
 * per backend, and the `server.json` that lists it in the MCP Registry, written next to it in `<out>/<backend>/`.
 * The bundle runs `serve <backend> --transport stdio` with the user's answers to its configuration as the variables
 * `serve` reads (turning *Sandbox* on serves the Prism mock of the spec and the sandbox sign-in). It is packed and
 * its manifest validated by the official MCPB library (`@anthropic-ai/mcpb`, a development dependency: `pack` runs
 * in a clone, like `generate`). Settings are taken from an empty environment: nothing of the packer's own
 * environment (its secrets included) ends up in a bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.js';
import { projectRoot } from '../paths.js';
import type { BundleManifest, PackageFacts } from './pack/bundle-manifest.js';
import { ENTRY_POINT, planBundle } from './pack/bundle-plan.js';
import { registryEntry } from './pack/registry-entry.js';
import { stageBundle } from './pack/stage-bundle.js';

/** Options of `finmcp pack`, as commander parsed them. */
export interface PackOptions {
  out: string;
  registryNamespace?: string;
  bundleBaseUrl?: string;
}

/** The default registry namespace: a reverse-DNS name under `.local`, which nobody can publish under. */
const LOCAL_NAMESPACE = 'local.finmcp';

/** The parts of the MCPB library `pack` uses. */
type Mcpb = typeof import('@anthropic-ai/mcpb');

/** What one `pack` wrote for one backend. */
interface Packed {
  bundle: string;
  serverJson: string;
  bytes: number;
  packages: number;
}

/** Entry point of the `pack` command. */
export async function runPack(backends: string[], given: PackOptions): Promise<void> {
  const options = { ...given, registryNamespace: given.registryNamespace ?? LOCAL_NAMESPACE };
  checkOptions(options);
  const root = projectRoot();
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js')))
    throw new ConfigError('pack bundles the compiled server: run `npm run build` first');
  const mcpb = await loadMcpb();
  for (const backend of backends) {
    const packed = await packBackend(backend, options, root, mcpb);
    const size = `${(packed.bytes / 1024 / 1024).toFixed(1)} MB`;
    process.stdout.write(
      `${backend}: ${shown(packed.bundle)} (${size}, ${packed.packages} packages)\n` +
        `${' '.repeat(backend.length + 2)}${shown(packed.serverJson)}\n`,
    );
  }
  if (options.registryNamespace === LOCAL_NAMESPACE || options.bundleBaseUrl === undefined) {
    process.stderr.write(
      'finmcp: server.json names a local namespace or file: bundle URL; before publishing to the MCP Registry, pack ' +
        'again with --registry-namespace (one you can prove, e.g. io.github.<you>) and --bundle-base-url (where the ' +
        'release serves the .mcpb files)\n',
    );
  }
}

/** A path as the user reads it best: relative below the working folder, else absolute. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere;
}

function checkOptions(options: Required<Pick<PackOptions, 'registryNamespace'>> & PackOptions): void {
  if (!/^[a-zA-Z0-9.-]+$/.test(options.registryNamespace)) {
    throw new ConfigError(
      `--registry-namespace must be letters, digits, dots and hyphens, a reverse-DNS name such as io.github.<you> (got "${options.registryNamespace}")`,
    );
  }
  if (options.bundleBaseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.bundleBaseUrl)) {
    throw new ConfigError(`--bundle-base-url must be an http(s) URL (got "${options.bundleBaseUrl}")`);
  }
}

/** The MCPB library; absent from a production install (it is a development dependency). */
async function loadMcpb(): Promise<Mcpb> {
  try {
    return await import('@anthropic-ai/mcpb');
  } catch (error) {
    throw new ConfigError(
      `pack needs the development dependency @anthropic-ai/mcpb (${(error as Error).message}): run \`npm ci\` in the clone`,
    );
  }
}

async function packBackend(
  backend: string,
  options: PackOptions & { registryNamespace: string },
  root: string,
  mcpb: Mcpb,
): Promise<Packed> {
  const { generated, pkg, spec, manifest } = await planBundle(backend, root);
  checkManifest(mcpb, manifest);
  const outDir = resolve(options.out, backend);
  mkdirSync(outDir, { recursive: true });
  const bundle = join(outDir, `${manifest.name}-${manifest.version}.mcpb`);
  const stage = mkdtempSync(join(tmpdir(), 'finmcp-pack-'));
  let packages: string[];
  try {
    packages = stageBundle({
      root,
      dir: stage,
      generated,
      manifest,
      packageJson: bundlePackageJson(pkg),
      entryPoint: ENTRY_POINT,
    });
    if (!(await mcpb.packExtension({ extensionPath: stage, outputPath: bundle, silent: true })))
      throw new Error(`mcpb could not pack ${backend} (its message is above)`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const zip = readFileSync(bundle);
  const fileName = bundle.slice(outDir.length + 1);
  const entry = registryEntry({
    name: `${options.registryNamespace}/${manifest.name}`,
    spec,
    version: manifest.version,
    bundleUrl:
      options.bundleBaseUrl === undefined
        ? pathToFileURL(bundle).href
        : `${options.bundleBaseUrl.replace(/\/+$/, '')}/${fileName}`,
    sha256: createHash('sha256').update(zip).digest('hex'),
  });
  const serverJson = join(outDir, 'server.json');
  writeFileSync(serverJson, `${JSON.stringify(entry, null, 2)}\n`);
  return { bundle, serverJson, bytes: zip.length, packages: packages.length };
}

/** The manifest checked against the MCPB schema of its version before anything is staged. */
function checkManifest(mcpb: Mcpb, manifest: BundleManifest): void {
  const schema = mcpb.MANIFEST_SCHEMAS[manifest.manifest_version as keyof Mcpb['MANIFEST_SCHEMAS']];
  const result = schema.safeParse(manifest);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(
      `the ${manifest.name} manifest breaks the MCPB ${manifest.manifest_version} schema: ${issues.join('; ')}`,
    );
  }
}

/** The bundle's package.json: an ES-module package named like the project (how the runtime finds its root). */
function bundlePackageJson(pkg: PackageFacts & Record<string, unknown>): object {
  const keep = ['name', 'version', 'description', 'license', 'type', 'engines', 'bin', 'dependencies'];
  return { ...Object.fromEntries(keep.filter((key) => key in pkg).map((key) => [key, pkg[key]])), private: true };
}
