/**
 * Parsing one OpenAPI 3.1 document with hey-api (`createClient` + the finmcp plugin only, dry run: hey-api writes
 * nothing). Returns the bundled spec and the tool descriptors the plugin built.
 */
import { resolve } from 'node:path';
import { createClient } from '@hey-api/openapi-ts';
import { type ParsedSpec, finmcpPlugin } from '../hey-api-plugin/plugin.js';

export type { ParsedSpec } from '../hey-api-plugin/plugin.js';

/**
 * The readable message of a hey-api failure: its `JobError`s carry an empty message and the parser's error
 * (with the YAML line and column) under `originalError.error`; plugin errors keep theirs as `cause`.
 */
export function heyApiErrorMessage(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as { message?: unknown; originalError?: { error?: unknown }; cause?: unknown };
    if (typeof record.message === 'string' && record.message.trim() !== '') return record.message.trim();
    current = record.originalError?.error ?? record.cause;
  }
  return String(error);
}

/** Parses the spec at `file` into its bundled document and descriptors. */
export async function parseSpec(file: string): Promise<ParsedSpec> {
  let parsed: ParsedSpec | undefined;
  try {
    await runHeyApi(file, (result) => {
      parsed = result;
    });
  } catch (error) {
    throw new Error(heyApiErrorMessage(error), { cause: error });
  }
  if (parsed === undefined) throw new Error(`hey-api did not parse ${file}`);
  return parsed;
}

/** One hey-api run with the finmcp plugin only. */
async function runHeyApi(file: string, onParsed: (parsed: ParsedSpec) => void): Promise<void> {
  await createClient({
    // Always absolute: hey-api reads a relative `org/name` path as a shorthand of its online registry.
    input: { path: resolve(file) },
    // Required by hey-api's config even in a dry run; nothing is written.
    output: { path: '.finmcp-hey-api-unused' },
    dryRun: true,
    logs: { level: 'silent', file: false },
    plugins: [
      finmcpPlugin({ onParsed }),
    ],
  });
}
