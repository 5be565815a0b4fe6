/**
 * Peer: `@ivotoby/openapi-mcp-server` 1.16.1, a runtime OpenAPI→MCP proxy that reads the spec at start-up.
 * Served from its own CLI over stdio and over its Streamable HTTP transport (which answers tool calls with 202
 * and delivers results on the session's GET event stream). It can only send one static credential to the
 * backend, so it gets a token the stub accepts; its documented quiet mode (`--verbose false`) is used.
 */
import { join } from 'node:path';
import type { Scenario } from '../scenario.js';
import type { BenchEnv, HttpLaunch, ServerUnderTest } from './types.js';
import type { LaunchSpec } from '../clients/mcp-stdio.js';

function baseArgs(scenario: Scenario, env: BenchEnv): string[] {
  return [
    join(env.root, 'node_modules', '@ivotoby', 'openapi-mcp-server', 'bin', 'mcp-server.js'),
    '--api-base-url',
    `${env.stubOrigin(scenario.backend)}${scenario.basePath}`,
    '--openapi-spec',
    scenario.specFile,
    '--headers',
    `Authorization:Bearer ${env.staticBackendToken(scenario.backend)}`,
    '--verbose',
    'false',
  ];
}

/** The `@ivotoby/openapi-mcp-server` peer. */
export const ivotoby: ServerUnderTest = {
  id: 'ivotoby',
  label: '@ivotoby/openapi-mcp-server 1.16.1',
  role: 'peer',
  notes: [
    'runtime proxy: parses the YAML spec at every start; `--verbose false`; one static `Authorization` header to the backend',
    'HTTP: its own Streamable HTTP transport (tool results arrive on the GET event stream, the POST gets 202)',
  ],
  stdio(scenario: Scenario, env: BenchEnv): LaunchSpec {
    return { command: process.execPath, args: baseArgs(scenario, env), cwd: env.root };
  },
  http(scenario: Scenario, env: BenchEnv, port: number): HttpLaunch {
    return {
      launch: {
        command: process.execPath,
        args: [...baseArgs(scenario, env), '--transport', 'http', '--host', '127.0.0.1', '--port', String(port)],
        cwd: env.root,
      },
      port,
      path: '/mcp',
      answersOnGetStream: true,
    };
  },
  logsInPerSession: () => false,
};
