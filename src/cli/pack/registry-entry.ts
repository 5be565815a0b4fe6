/**
 * The `server.json` that lists one backend's bundle in the MCP Registry (schema 2025-12-11): the server's name in
 * a namespace its publisher can prove, its title and one-line description (the registry takes at most 100
 * characters), its version, and the bundle as an `mcpb` package — where to download it and its SHA-256, which a
 * client checks before it runs the bundle. The bundle's own manifest carries the user configuration.
 */
import type { SpecFacts } from './bundle-manifest.js';

/** The server.json schema written. */
const SERVER_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** The registry's limit on `title` and `description`. */
const MAX_TEXT = 100;

/** What the registry entry of one bundle is made from. */
export interface RegistryInputs {
  /** `<namespace>/<name>`. */
  name: string;
  spec: SpecFacts;
  version: string;
  /** Where clients download the bundle. */
  bundleUrl: string;
  /** The bundle file's SHA-256, lower-case hex. */
  sha256: string;
}

/** One server.json document (the fields finmcp writes). */
export interface RegistryEntry {
  $schema: string;
  name: string;
  title: string;
  description: string;
  version: string;
  packages: Array<{
    registryType: 'mcpb';
    identifier: string;
    version: string;
    fileSha256: string;
    transport: { type: 'stdio' };
  }>;
}

/** The server.json of one bundle. */
export function registryEntry(inputs: RegistryInputs): RegistryEntry {
  return {
    $schema: SERVER_SCHEMA,
    name: inputs.name,
    title: shorten(inputs.spec.title),
    description: shorten(inputs.spec.summary),
    version: inputs.version,
    packages: [
      {
        registryType: 'mcpb',
        identifier: inputs.bundleUrl,
        version: inputs.version,
        fileSha256: inputs.sha256,
        transport: { type: 'stdio' },
      },
    ],
  };
}

/** A text cut to the registry's limit at a word boundary, ending in `…` when cut. */
function shorten(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  const cut = text.slice(0, MAX_TEXT - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_TEXT / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}
