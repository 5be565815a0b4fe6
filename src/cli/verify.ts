/**
 * `finmcp verify <backend>`: contract verification. Every generated tool is called through the real MCP layer
 * (the SDK 2.x `Client`, pinned to MCP 2026-07-28, talking to our fetch handler in process) with arguments taken from the
 * spec's examples, against Prism: the mock of the spec by default, or a real backend through Prism's validating
 * proxy (`--backend-url`). Per operation it reports whether the request was valid per the spec (Prism accepted
 * it and reported no request violation), whether the response was valid per the spec (documented status, no
 * response violation) and whether the tool's `structuredContent` conforms to its `outputSchema`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ToolResult } from '../core/tool-service-api.js';
import type { ToolDescriptor } from '../../contract/descriptor.js';
import { derefObject } from '../../contract/pointer.js';
import { BACKEND_SETTINGS, ConfigError, SETTINGS, Settings } from '../config.js';
import { createLogger } from '../log.js';
import { projectRoot } from '../paths.js';

/** The verdict for one operation. */
interface OperationReport {
  tool: string;
  operationId?: string;
  method: string;
  path: string;
  /** HTTP status the backend (through Prism) answered; undefined when no request reached it. */
  status?: number;
  requestValid: boolean;
  responseValidSpec: boolean;
  responseValidOutputSchema: boolean;
  problems: string[];
}

/** The whole verification of one backend. */
export interface VerifyReport {
  backend: string;
  mode: 'mock' | 'proxy';
  spec: string;
  ok: boolean;
  operations: OperationReport[];
}

type RawSpec = { paths?: Record<string, Record<string, RawOperation | unknown>> };
type RawOperation = {
  parameters?: RawParameter[];
  requestBody?: { content?: Record<string, { example?: unknown; examples?: Record<string, { value?: unknown }> }> };
  responses?: Record<string, unknown>;
};
type RawParameter = {
  name?: string;
  in?: string;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
  schema?: Record<string, unknown>;
  $ref?: string;
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** CLI entry: prints the report and returns the exit code (1 on any violation). */
export async function runVerify(
  backend: string,
  options: { backendUrl?: string; spec?: string; json?: boolean },
): Promise<number> {
  const report = await verifyBackend(backend, options);
  process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}

/** Runs the verification and returns the report (used by the CLI and by tests). */
export async function verifyBackend(
  backend: string,
  options: { backendUrl?: string; spec?: string },
): Promise<VerifyReport> {
  const settings = new Settings(process.env);
  const logger = createLogger({ level: settings.readGiven(SETTINGS.logLevel) ?? 'warn' });
  const { backendLoaders } = await (await import('./generated.js')).loadBackendRegistry();
  const load = backendLoaders[backend];
  if (load === undefined)
    throw new ConfigError(`unknown backend "${backend}": available are ${Object.keys(backendLoaders).join(', ')}`);
  const generated = await load();
  const specFile = options.spec !== undefined ? resolve(options.spec) : join(projectRoot(), generated.specFile);
  if (!existsSync(specFile)) throw new ConfigError(`spec not found: ${specFile}`);
  const spec = parseYaml(readFileSync(specFile, 'utf8')) as RawSpec;

  const { startPrism, startPrismProxy } = await import('../sandbox/prism.js');
  const mode = options.backendUrl === undefined ? 'mock' : 'proxy';
  const prism =
    options.backendUrl === undefined
      ? await startPrism({ specFile, logger })
      : await startPrismProxy({ specFile, upstreamUrl: options.backendUrl, logger });

  const { createBackendHttp } = await import('../backend/backend-http.js');
  const { createToolService } = await import('../core/tool-service.js');
  const { createFetchHandler } = await import('../transport/http/fetch-handler.js');
  const http = createBackendHttp({ baseUrl: prism.url, maxAttempts: 1, logger });
  // Observe what came back from Prism for each call: the MCP result alone does not carry Prism's verdict.
  const observed = new Map<string, { status: number; headers: Record<string, string> }>();
  const observingHttp: typeof http = {
    ...http,
    send: async (request) => {
      const response = await http.send(request);
      observed.set(request.requestId, { status: response.status, headers: response.headers });
      return response;
    },
  };
  const token = settings.readBackend(backend, BACKEND_SETTINGS.verifyToken);
  const service = createToolService(
    {
      generated,
      overrides: { outboundAuth: async () => ({ headers: { authorization: `Bearer ${token}` } }) },
    },
    { http: observingHttp, logger },
  );
  // The URL is never dialled: the client's fetch calls the handler in process.
  const handler = createFetchHandler({
    backends: [{ service, info: { name: `finmcp-verify-${backend}`, version: generated.version } }],
    allowedHosts: ['finmcp.verify'],
    rateLimit: false,
    logger,
  });
  const client = new Client(
    { name: 'finmcp-verify', version: '0.1.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://finmcp.verify/${backend}/mcp`), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }),
  );

  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const operations: OperationReport[] = [];
  try {
    const listed = new Set((await client.listTools()).tools.map((t) => t.name));
    for (const tool of generated.tools) {
      if (!listed.has(tool.name)) continue;
      operations.push(await verifyOperation(tool, spec, client, observed, ajv));
    }
  } finally {
    await client.close().catch(() => undefined);
    await handler.close();
    await http.close();
    await prism.stop();
  }
  return { backend, mode, spec: specFile, ok: operations.every(isOk), operations };
}

async function verifyOperation(
  tool: ToolDescriptor,
  spec: RawSpec,
  client: Client,
  observed: Map<string, { status: number; headers: Record<string, string> }>,
  ajv: Ajv2020,
): Promise<OperationReport> {
  const report: OperationReport = {
    tool: tool.name,
    operationId: tool.operation.operationId,
    method: tool.operation.method.toUpperCase(),
    path: tool.operation.path,
    requestValid: true,
    responseValidSpec: true,
    responseValidOutputSchema: true,
    problems: [],
  };
  const rawOperation = spec.paths?.[tool.operation.path]?.[tool.operation.method] as RawOperation | undefined;
  if (rawOperation === undefined) {
    report.requestValid = false;
    report.responseValidSpec = false;
    report.responseValidOutputSchema = false;
    report.problems.push(`${report.method} ${tool.operation.path} does not exist in the spec being served`);
    return report;
  }
  const args = exampleArguments(tool, rawOperation, spec);
  observed.clear();
  let result: ToolResult;
  try {
    result = (await client.callTool({ name: tool.name, arguments: args })) as ToolResult;
  } catch (error) {
    // The SDK client refuses structuredContent that does not match the tool's outputSchema.
    const seen = [...observed.values()][0];
    report.status = seen?.status;
    report.responseValidOutputSchema = false;
    report.problems.push(`MCP client rejected the result: ${error instanceof Error ? error.message : String(error)}`);
    if (seen !== undefined) judgeHttp(report, seen, rawOperation);
    return report;
  }
  const seen = [...observed.values()][0];
  if (seen === undefined) {
    report.requestValid = false;
    report.problems.push(`no request reached the backend: ${textOf(result)}`);
    return report;
  }
  report.status = seen.status;
  judgeHttp(report, seen, rawOperation);
  if (result.isError === true) {
    if (report.problems.length === 0) report.problems.push(`tool error: ${textOf(result)}`);
    report.responseValidOutputSchema = false;
    return report;
  }
  const validate = ajv.compile(tool.outputSchema);
  if (!validate(result.structuredContent)) {
    report.responseValidOutputSchema = false;
    for (const error of validate.errors ?? [])
      report.problems.push(`outputSchema: ${error.instancePath || '(root)'} ${error.message ?? ''}`.trim());
  }
  return report;
}

/** Prism's verdicts: a 422/400 it produced, `sl-violations` it attached, and whether the status is documented. */
function judgeHttp(
  report: OperationReport,
  seen: { status: number; headers: Record<string, string> },
  operation: RawOperation,
): void {
  const violations = parseViolations(seen.headers['sl-violations']);
  const requestViolations = violations.filter((v) => v.location[0] === 'request');
  const responseViolations = violations.filter((v) => v.location[0] !== 'request');
  if (requestViolations.length > 0 || ((seen.status === 422 || seen.status === 400) && report.problems.length === 0)) {
    report.requestValid = false;
    for (const v of requestViolations) report.problems.push(`request: ${v.location.join('.')} ${v.message}`);
    if (requestViolations.length === 0) report.problems.push(`request rejected with HTTP ${seen.status}`);
  }
  if (responseViolations.length > 0) {
    report.responseValidSpec = false;
    for (const v of responseViolations) report.problems.push(`response: ${v.location.join('.')} ${v.message}`);
  }
  const documented = Object.keys(operation.responses ?? {});
  const status = String(seen.status);
  if (!documented.includes(status) && !documented.includes(`${status[0]}XX`) && !documented.includes('default')) {
    report.responseValidSpec = false;
    report.problems.push(`response: HTTP ${status} is not a documented response`);
  }
  if (seen.status >= 300) report.responseValidOutputSchema = false;
}

function parseViolations(header: string | undefined): Array<{ location: string[]; message: string }> {
  if (header === undefined) return [];
  try {
    const parsed = JSON.parse(header) as Array<{ location?: unknown; message?: unknown }>;
    return parsed.map((v) => ({
      location: Array.isArray(v.location) ? v.location.map(String) : ['response'],
      message: String(v.message ?? ''),
    }));
  } catch {
    return [{ location: ['response'], message: 'unreadable sl-violations header' }];
  }
}

/** Arguments from the spec: parameter examples, then the request body's first example, mapped through the bindings. */
export function exampleArguments(
  tool: ToolDescriptor,
  operation: RawOperation,
  spec: RawSpec,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const parameters = (operation.parameters ?? []).map((p) => derefObject(spec, p) as RawParameter);
  for (const binding of tool.parameters) {
    const parameter = parameters.find((p) => p.name === binding.name && p.in === binding.in);
    const value = parameter === undefined ? undefined : parameterExample(parameter);
    if (value !== undefined) args[binding.property] = value;
  }
  if (tool.body !== undefined) {
    const media = operation.requestBody?.content?.[tool.body.contentType];
    const example = media?.example ?? Object.values(media?.examples ?? {})[0]?.value;
    if (example !== undefined) {
      if (tool.body.kind === 'value') {
        args[tool.body.property] = example;
      } else if (typeof example === 'object' && example !== null) {
        for (const field of tool.body.fields) {
          const value = (example as Record<string, unknown>)[field.name];
          if (value !== undefined) args[field.property] = value;
        }
      }
    }
  }
  // Fill required inputs the spec gave no example for from the served schema (first enum value, default, examples).
  const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const name of (tool.inputSchema['required'] ?? []) as string[]) {
    if (args[name] !== undefined) continue;
    const schema = properties[name] ?? {};
    const fallback =
      (schema['examples'] as unknown[] | undefined)?.[0] ??
      schema['default'] ??
      (schema['enum'] as unknown[] | undefined)?.[0];
    if (fallback !== undefined) args[name] = fallback;
  }
  return args;
}

function parameterExample(parameter: RawParameter): unknown {
  if (parameter.example !== undefined) return parameter.example;
  const named = Object.values(parameter.examples ?? {})[0]?.value;
  if (named !== undefined) return named;
  const schema = parameter.schema ?? {};
  return (
    schema['example'] ??
    (schema['examples'] as unknown[] | undefined)?.[0] ??
    schema['default'] ??
    (schema['enum'] as unknown[] | undefined)?.[0]
  );
}

function isOk(report: OperationReport): boolean {
  return report.requestValid && report.responseValidSpec && report.responseValidOutputSchema;
}

function textOf(result: ToolResult): string {
  return result.content
    .map((c) => c.text)
    .join(' ')
    .slice(0, 300);
}

/** Human-readable report: one line per operation, problems indented under it. */
export function formatReport(report: VerifyReport): string {
  const mark = (ok: boolean): string => (ok ? 'ok  ' : 'FAIL');
  const lines = [`finmcp verify ${report.backend} (${report.mode}: ${report.spec})`, ''];
  lines.push('operation                         status  request  response(spec)  outputSchema');
  for (const op of report.operations) {
    lines.push(
      `${op.tool.padEnd(34)}${String(op.status ?? '-').padEnd(8)}${mark(op.requestValid).padEnd(9)}${mark(op.responseValidSpec).padEnd(16)}${mark(op.responseValidOutputSchema)}`,
    );
    for (const problem of op.problems) lines.push(`    ${problem}`);
  }
  const failed = report.operations.filter((op) => !isOk(op));
  lines.push(
    '',
    failed.length === 0
      ? `all ${report.operations.length} operations agree with the spec`
      : `${failed.length} of ${report.operations.length} operations violate the contract: ${failed.map((op) => op.tool).join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
