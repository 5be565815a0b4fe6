/**
 * `finmcp pack <backend…>`: one MCP Bundle (`.mcpb`, installed with one click in Claude Desktop and other MCPB hosts)
 * per backend, and the `server.json` that lists it in the MCP Registry, written next to it in `<out>/<backend>/`.
 * The bundle runs `serve <backend> --transport stdio` with the user's answers to its configuration as the variables
 * `serve` reads; an unanswered backend URL serves the Prism mock of the spec, like a fresh clone. It is packed and
 * its manifest validated by the official MCPB library (`@anthropic-ai/mcpb`, a development dependency: `pack` runs
 * in a clone, like `generate`). Settings are taken from an empty environment: nothing of the packer's own
 * environment (its secrets included) ends up in a bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { ConfigError, SETTINGS, Settings } from '../config.js';
import { buildServedTools } from '../core/served-tools.js';
import { createLogger } from '../log.js';
import { projectRoot } from '../paths.js';
import {
  type BundleManifest,
  firstParagraph,
  type PackageFacts,
  type SpecFacts,
  bundleManifest,
} from './pack/bundle-manifest.js';
import { bundleSettings } from './pack/bundle-settings.js';
import { registryEntry } from './pack/registry-entry.js';
import { stageBundle } from './pack/stage-bundle.js';
import { planBackends } from './serve/backend-plans.js';
import { resolveServeConfig } from './serve/serve-config.js';

/** Options of `finmcp pack`, as commander parsed them. */
export interface PackOptions {
  out: string;
  registryNamespace?: string;
  bundleBaseUrl?: string;
}

/** The CLI script a bundle runs, relative to the root. */
const ENTRY_POINT = 'bin/finmcp.js';

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
      `${backend}: ${relative(process.cwd(), packed.bundle)} (${size}, ${packed.packages} packages)\n` +
        `${' '.repeat(backend.length + 2)}${relative(process.cwd(), packed.serverJson)}\n`,
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
  const settings = new Settings({});
  const logger = createLogger({ level: 'silent' });
  const config = await resolveServeConfig([backend], { transport: 'stdio', sandbox: true }, settings);
  const [plan] = await planBackends(config, settings, logger, new Map());
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageFacts & Record<string, unknown>;
  const spec = specFacts(root, plan!.generated);
  const manifest = bundleManifest({
    backend,
    spec,
    pkg,
    entryPoint: ENTRY_POINT,
    nodeOptions: nodeOptionsOf(readFileSync(join(root, ENTRY_POINT), 'utf8')),
    tools: buildServedTools(plan!, SETTINGS.maxResponseBytes.default).listed,
    settings: bundleSettings(plan!),
  });
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
      generated: plan!.generated,
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

/** The backend's title and description, from its spec's `info` (OpenAPI 3.1 `summary`, else the description's first paragraph). */
function specFacts(root: string, generated: GeneratedBackend): SpecFacts {
  const document = parse(readFileSync(join(root, generated.specFile), 'utf8')) as { info?: Record<string, unknown> };
  const info = document.info ?? {};
  const description = typeof info['description'] === 'string' ? info['description'].trim() : undefined;
  const summary = typeof info['summary'] === 'string' ? info['summary'].trim() : undefined;
  return {
    title: generated.title,
    summary: summary ?? (description === undefined ? generated.title : firstParagraph(description)),
    ...(description === undefined ? {} : { description }),
  };
}

/** The Node options of the CLI script's `#!/usr/bin/env -S node …` line (its heap limits). */
function nodeOptionsOf(script: string): string[] {
  const shebang = /^#!.*\bnode((?:\s+--\S+)*)\s*$/m.exec(script.split('\n', 1)[0] ?? '');
  return shebang?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** The bundle's package.json: an ES-module package named like the project (how the runtime finds its root). */
function bundlePackageJson(pkg: PackageFacts & Record<string, unknown>): object {
  const keep = ['name', 'version', 'description', 'license', 'type', 'engines', 'bin', 'dependencies'];
  return { ...Object.fromEntries(keep.filter((key) => key in pkg).map((key) => [key, pkg[key]])), private: true };
}
