/**
 * Parsing one OpenAPI 3.1 document with hey-api (`createClient` + the finmcp plugin only, dry run: hey-api writes
 * nothing). Returns the bundled spec and the tool descriptors the plugin built.
 */
import { createClient } from '@hey-api/openapi-ts';
import { type ParsedSpec, finmcpPlugin } from '../hey-api-plugin/plugin.js';

export type { ParsedSpec } from '../hey-api-plugin/plugin.js';

/** Parses the spec at `file` (absolute path) into its bundled document and descriptors. */
export async function parseSpec(file: string): Promise<ParsedSpec> {
  let parsed: ParsedSpec | undefined;
  await createClient({
    input: { path: file },
    // Required by hey-api's config even in a dry run; nothing is written.
    output: { path: '.finmcp-hey-api-unused' },
    dryRun: true,
    logs: { level: 'silent', file: false },
    plugins: [
      finmcpPlugin({
        onParsed: (result) => {
          parsed = result;
        },
      }),
    ],
  });
  if (parsed === undefined) throw new Error(`hey-api did not parse ${file}`);
  return parsed;
}
