/**
 * The `manifest.json` of one backend's MCP Bundle (MCPB manifest 0.2, the version `mcpb init` writes and Claude
 * Desktop reads): who it is (from package.json and the backend's spec), how the host starts it (`node` running the
 * CLI's `serve <backend> --transport stdio`, with the user's answers as the variables `serve` reads), what it needs
 * (the Node versions of package.json's `engines`) and the tools it serves.
 */
import type { ListedTool } from '../../../contract/descriptor.js';
import { serverName } from '../serve/start-transport.js';
import { type BundleSetting, type UserConfigOption, userConfigOf } from './bundle-settings.js';

/** The manifest version written: the one `mcpb init` writes by default, read by every MCPB host. */
const MANIFEST_VERSION = '0.2';

/** What package.json says about the project (the fields a bundle uses). */
export interface PackageFacts {
  name: string;
  version: string;
  license?: string;
  author?: string | { name: string; email?: string; url?: string };
  homepage?: string;
  engines?: { node?: string };
}

/** What the backend's spec says about it (OpenAPI `info`). */
export interface SpecFacts {
  title: string;
  /** One line: `info.summary`, else the first paragraph of `info.description`. */
  summary: string;
  description?: string;
}

/** Everything one manifest is made from. */
export interface ManifestInputs {
  backend: string;
  spec: SpecFacts;
  pkg: PackageFacts;
  /** The CLI script, relative to the bundle root. */
  entryPoint: string;
  /** Node options the CLI runs with (bin/finmcp.js's own: the heap limits). */
  nodeOptions: readonly string[];
  tools: readonly ListedTool[];
  settings: readonly BundleSetting[];
}

/** The manifest fields finmcp writes (a subset of MCPB 0.2). */
export interface BundleManifest {
  manifest_version: string;
  name: string;
  display_name: string;
  version: string;
  description: string;
  long_description?: string;
  author: { name: string; email?: string; url?: string };
  homepage?: string;
  license?: string;
  server: {
    type: 'node';
    entry_point: string;
    mcp_config: { command: string; args: string[]; env: Record<string, string> };
  };
  tools: Array<{ name: string; description: string }>;
  compatibility: { platforms: Array<'darwin' | 'win32' | 'linux'>; runtimes?: { node: string } };
  user_config: Record<string, UserConfigOption>;
}

/** The manifest of one backend's bundle. */
export function bundleManifest(inputs: ManifestInputs): BundleManifest {
  const { backend, spec, pkg } = inputs;
  const { userConfig, env } = userConfigOf(inputs.settings);
  return {
    manifest_version: MANIFEST_VERSION,
    name: serverName(backend),
    display_name: spec.title,
    version: pkg.version,
    description: spec.summary,
    ...(spec.description === undefined ? {} : { long_description: spec.description }),
    author: authorOf(pkg),
    ...(pkg.homepage === undefined ? {} : { homepage: pkg.homepage }),
    ...(pkg.license === undefined ? {} : { license: pkg.license }),
    server: {
      type: 'node',
      entry_point: inputs.entryPoint,
      mcp_config: {
        command: 'node',
        args: [...inputs.nodeOptions, `\${__dirname}/${inputs.entryPoint}`, 'serve', backend, '--transport', 'stdio'],
        env,
      },
    },
    tools: inputs.tools.map((tool) => ({ name: tool.name, description: firstParagraph(tool.description ?? '') })),
    // Plain JavaScript and WebAssembly: the same files run on every platform a host runs on.
    compatibility: {
      platforms: ['darwin', 'win32', 'linux'],
      ...(pkg.engines?.node === undefined ? {} : { runtimes: { node: pkg.engines.node } }),
    },
    user_config: userConfig,
  };
}

/** package.json's `author` (`"Name <email> (url)"` or an object), else the project's contributors. */
function authorOf(pkg: PackageFacts): BundleManifest['author'] {
  const author = pkg.author;
  if (author === undefined) return { name: `${pkg.name} contributors` };
  if (typeof author !== 'string') return author;
  const match = /^([^<(]*?)\s*(?:<([^>]+)>)?\s*(?:\(([^)]+)\))?$/.exec(author.trim());
  const [, name = author, email, url] = match ?? [];
  return { name, ...(email === undefined ? {} : { email }), ...(url === undefined ? {} : { url }) };
}

/** The first paragraph of a text, on one line. */
export function firstParagraph(text: string): string {
  return (text.trim().split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ');
}
