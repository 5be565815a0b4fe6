/**
 * The `finmcp` command line (commander). Each command's module is imported only when it runs, so that
 * `serve` over stdio does not pay for the sandbox's imports at start-up.
 */
import { Command, Option } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { ConfigError } from '../config.js';

/** Runs the CLI with `process.argv`-style arguments. Sets the exit code; never throws. */
export async function main(argv: string[]): Promise<void> {
  // `.env` fills only variables the environment does not already set.
  loadDotenv({ quiet: true });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    reportFatal(error);
  }
}

/** Builds the commander program; exported for tests of `--help`. */
export function buildProgram(): Command {
  const program = new Command('finmcp')
    .description('MCP servers for financial backends, generated from OpenAPI contracts')
    .version('0.1.0')
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve one or more backends as MCP servers')
    .argument('<backend...>', 'backend names (spec files in specs/), e.g. finopps b4b')
    .addOption(new Option('--transport <transport>', 'stdio or http').choices(['stdio', 'http']).env('FINMCP_TRANSPORT'))
    .addOption(new Option('--port <port>', 'HTTP port').env('FINMCP_PORT'))
    .addOption(new Option('--host <host>', 'HTTP bind address').env('FINMCP_HOST'))
    .addOption(new Option('--public-url <url>', 'external base URL of the HTTP server').env('FINMCP_PUBLIC_URL'))
    .addOption(new Option('--backend-url <url>', 'backend base URL (one backend only; else <BACKEND>_BACKEND_URL)'))
    .addOption(new Option('--allowed-origins <origins>', 'comma-separated allowed browser origins').env('FINMCP_ALLOWED_ORIGINS'))
    .addOption(new Option('--log-level <level>', 'log level').env('FINMCP_LOG_LEVEL'))
    .option('--sandbox', 'serve against the Prism mock of each spec (and a local OAuth server)')
    .addOption(new Option('--tools <globs>', 'serve only tools whose name matches one of these comma-separated globs').env('FINMCP_TOOLS'))
    .addOption(new Option('--tags <names>', 'serve only operations with one of these comma-separated tags').env('FINMCP_TAGS'))
    .addOption(new Option('--read-only', 'serve only operations that change nothing (GET, HEAD)'))
    .addOption(new Option('--dynamic', 'list three meta-tools (search_tools, describe_tool, call_tool) instead of every operation'))
    .action(async (backends: string[], options: Record<string, string | boolean | undefined>) => {
      const { runServe } = await import('./serve.js');
      await runServe(backends, options);
    });

  // Listed for --help only: bin/finmcp.js hands `generate` to the generator's own CLI before this module loads, so
  // the runtime never imports the generator or its libraries (devDependencies).
  program
    .command('generate')
    .description('regenerate generated/ and docs/tools.md from specs/*.yaml, and report what changed for clients (`finmcp generate --help`)')
    .helpOption(false)
    .allowUnknownOption()
    .action(() => {
      throw new Error('generate runs through bin/finmcp.js, which hands it to the generator');
    });

  program
    .command('mock')
    .description('start the Prism mock server of a backend spec')
    .argument('<backend>', 'backend name')
    .option('--port <port>', 'port', '4010')
    .option('--dynamic', 'generate responses from the schemas instead of the static examples')
    .action(async (backend: string, options: { port: string; dynamic?: boolean }) => {
      const { runMock } = await import('./mock.js');
      await runMock(backend, options);
    });

  program
    .command('token')
    .description('print an access token from the sandbox authorization server (for scripts and curl)')
    .option('--sandbox', 'use the sandbox authorization server (required)')
    .option('--user <name>', 'sandbox user: alice, bob or carol', 'alice')
    .option('--backend <backend>', 'backend whose MCP endpoint the token is for', 'finopps')
    .addOption(new Option('--public-url <url>', 'base URL of the MCP server the token is for').env('FINMCP_PUBLIC_URL'))
    .action(async (options: { sandbox?: boolean; user: string; backend: string; publicUrl?: string }) => {
      const { runToken } = await import('./token.js');
      await runToken(options);
    });

  program
    .command('verify')
    .description('call every tool through the MCP layer and check requests and responses against the spec')
    .argument('<backend>', 'backend name')
    .option('--backend-url <url>', 'verify against a real backend through Prism\'s validating proxy')
    .option('--spec <file>', 'spec the mock serves (default: specs/<backend>.yaml)')
    .option('--json', 'print the report as JSON')
    .action(async (backend: string, options: { backendUrl?: string; spec?: string; json?: boolean }) => {
      const { runVerify } = await import('./verify.js');
      process.exitCode = await runVerify(backend, options);
    });

  return program;
}

function reportFatal(error: unknown): void {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`finmcp: ${message}\n`);
  process.exitCode = 1;
}
