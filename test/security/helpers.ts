/**
 * Helpers of the FinOpps security tests: raw MCP requests for HTTP-level assertions, the spec's own 200 examples for the recording
 * stub backend, and small JWT / challenge parsers (no verification: the tests verify with jose where it matters).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { projectRoot } from '../../src/paths.js';

/** One raw JSON-RPC POST to an MCP endpoint, as a Streamable HTTP client sends it. */
export async function mcpPost(
  url: string,
  message: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | undefined }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', ...message }),
  });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

/** A `tools/call` message. */
export function toolCall(name: string, args: Record<string, unknown>, id = 1): Record<string, unknown> {
  return { id, method: 'tools/call', params: { name, arguments: args } };
}

/** The auth-params of a `WWW-Authenticate: Bearer …` value (quoted strings unescaped); undefined when not Bearer. */
export function bearerParams(header: string | null): Record<string, string> | undefined {
  if (header === null || !/^Bearer(\s|$)/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(6).matchAll(/([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return params;
}

/** The payload of a compact JWS, or undefined when the value is not one. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

type RawSpec = {
  paths?: Record<
    string,
    Record<
      string,
      {
        responses?: Record<
          string,
          { content?: Record<string, { example?: unknown; examples?: Record<string, unknown> }> }
        >;
      }
    >
  >;
  components?: { examples?: Record<string, { value?: unknown }> };
};

/** The first 200 `application/json` example of each tool's operation in the backend's spec, by tool name. */
export function responseExamplesByTool(generated: GeneratedBackend): Map<string, unknown> {
  const spec = parseYaml(readFileSync(join(projectRoot(), generated.specFile), 'utf8')) as RawSpec;
  const result = new Map<string, unknown>();
  for (const tool of generated.tools) {
    const media =
      spec.paths?.[tool.operation.path]?.[tool.operation.method]?.responses?.['200']?.content?.['application/json'];
    let example: unknown = media?.example;
    if (example === undefined) {
      const first = Object.values(media?.examples ?? {})[0] as { $ref?: string; value?: unknown } | undefined;
      const ref = first?.$ref;
      example =
        ref !== undefined
          ? spec.components?.examples?.[ref.replace('#/components/examples/', '')]?.value
          : first?.value;
    }
    if (example === undefined) throw new Error(`${generated.specFile}: no 200 example for ${tool.name}`);
    result.set(tool.name, example);
  }
  return result;
}

/** Every (path, method) operation of the backend's spec, as `METHOD path`. */
export function specOperations(generated: GeneratedBackend): string[] {
  const spec = parseYaml(readFileSync(join(projectRoot(), generated.specFile), 'utf8')) as RawSpec;
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  const out: string[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of Object.keys(item)) if (methods.has(method)) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out.sort();
}
