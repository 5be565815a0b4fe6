/**
 * The reference: a minimal hand-rolled JSON-RPC server (bench/reference/server.ts) making the same backend request
 * over the same kind of undici pool, against which finmcp's CPU per call and throughput are judged (issue 27:
 * ≤ 1.3× its CPU per call, ≥ 0.8× its throughput). Neither a peer (it is no OpenAPI→MCP server: it is not in the
 * best-peer ratios) nor the subject. Its tools are the spec's operations, path and query parameters as arguments;
 * like the peers it sends one static credential (a token the stub issued), so B4B sessions do not log in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { LaunchSpec } from '../clients/mcp-stdio.js';
import type { ReferencePlan } from '../reference/server.js';
import type { Scenario } from '../scenario.js';
import type { SpecOperation } from '../spec.js';
import type { BenchEnv, HttpLaunch, ServerUnderTest } from './types.js';

const ENTRY = fileURLToPath(new URL('../reference/server.js', import.meta.url));

function toolName(op: SpecOperation): string {
  return op.operationId ?? `${op.method}_${op.path.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

/** The plan file of one backend (written on first use into the gitignored peers folder). */
function planFile(scenario: Scenario, env: BenchEnv): string {
  const tools = scenario.operations.map((op) => {
    const params = op.parameters.filter((p) => p.in === 'path' || p.in === 'query');
    const properties: Record<string, unknown> = Object.fromEntries(params.map((p) => [p.name, p.schema]));
    if (op.requestBody !== undefined) properties.body = { type: 'object' };
    return {
      name: toolName(op),
      method: op.method.toUpperCase(),
      path: `${scenario.basePath}${op.path}`,
      query: params.filter((p) => p.in === 'query').map((p) => p.name),
      hasBody: op.requestBody !== undefined,
      inputSchema: {
        type: 'object',
        properties,
        required: params.filter((p) => p.required).map((p) => p.name),
      },
    };
  });
  const plan: ReferencePlan = {
    origin: env.stubOrigin(scenario.backend),
    authorization: `Bearer ${env.staticBackendToken(scenario.backend)}`,
    tools,
  };
  mkdirSync(env.peersDir, { recursive: true });
  const file = join(env.peersDir, `reference-${scenario.backend}.json`);
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

/** The reference server. */
export const reference: ServerUnderTest = {
  id: 'reference',
  label: 'reference (hand-rolled JSON-RPC, no SDK)',
  role: 'reference',
  notes: [
    'bench/reference/server.ts: stdio or node:http JSON-RPC, pre-serialised `initialize`/`tools/list`, the backend JSON spliced into the result (text block and `structuredContent`) unparsed; no validation, auth, logging or limits',
    'backend: one undici `Pool` (32 connections, keep-alive 4 s, as finmcp) with one static credential the stub issued; plain Node, no flags',
  ],
  stdio(scenario: Scenario, env: BenchEnv): LaunchSpec {
    return { command: process.execPath, args: [ENTRY, planFile(scenario, env), 'stdio'], cwd: env.root };
  },
  http(scenario: Scenario, env: BenchEnv, port: number): HttpLaunch {
    return {
      launch: {
        command: process.execPath,
        args: [ENTRY, planFile(scenario, env), 'http', String(port)],
        cwd: env.root,
      },
      port,
      path: '/mcp',
    };
  },
  logsInPerSession: () => false,
};
