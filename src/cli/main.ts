/**
 * The `finmcp` command line (commander). Each command's module is imported only when it runs, so that
 * `serve` over stdio does not pay for the sandbox's imports at start-up.
 */
import { Command, Option } from 'commander';
import { ConfigError, SETTINGS, BACKEND_SETTINGS, type SettingDef } from '../config.js';
import type { PackOptions } from './pack.js';
import type { TokenOptions } from './token.js';

/** Runs the CLI with `process.argv`-style arguments. Sets the exit code; never throws. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    loadDotenvFile();
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

  const serve = program
    .command('serve')
    .description('serve one or more backends as MCP servers')
    .argument('<backend...>', 'backend names (the spec files in specs/)')
    .action(async (backends: string[], options: Record<string, string | boolean | undefined>) => {
      const { runServe } = await import('./serve.js');
      await runServe(backends, options);
    });
  for (const option of serveOptions()) serve.addOption(option);

  // Listed for --help only: bin/finmcp.js hands `generate` to the generator's own CLI before this module loads, so
  // the runtime never imports the generator or its libraries (devDependencies).
  program
    .command('generate')
    .description(
      'regenerate generated/ and docs/tools.md from specs/*.yaml, and report what changed for clients (`finmcp generate --help`)',
    )
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

  addTokenCommand(program);
  addVerifyCommand(program);
  addAuditCommands(program);
  addPackCommand(program);

  return program;
}

/** `serve`'s flags, from the settings table's rows that have one (each also read from its variable). */
function serveOptions(): Option[] {
  return settingOptions([...Object.values(SETTINGS), BACKEND_SETTINGS.backendUrl]);
}

/** The flags of these settings rows (rows without a flag are skipped). */
function settingOptions(rows: readonly SettingDef[]): Option[] {
  return rows.flatMap((row) => {
    if (row.flag === undefined) return [];
    const option = new Option(row.type === 'bool' ? row.flag : `${row.flag} <value>`, row.description);
    if (row.type === 'text' && row.choices !== undefined) option.choices(row.choices);
    // Per-backend rows name one backend's variable only once the backend is known (serve reads it then).
    return [row === BACKEND_SETTINGS.backendUrl || row.type === 'bool' ? option : option.env(row.env)];
  });
}

/**
 * `.env` in the working directory fills only variables the environment does not already set (Node's own parser,
 * `process.loadEnvFile`, Node ≥ 20.12: the same `KEY=value` format, without loading a library at start-up).
 */
function loadDotenvFile(): void {
  try {
    process.loadEnvFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function reportFatal(error: unknown): void {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`finmcp: ${message}\n`);
  process.exitCode = 1;
}

/** `finmcp token`: a sandbox access token for scripts and curl. */
function addTokenCommand(program: Command): void {
  const token = program
    .command('token')
    .description('print an access token from the sandbox authorization server (for scripts and curl)')
    .option('--sandbox', 'use the sandbox authorization server (required)')
    .option('--user <name>', 'sandbox user: alice, bob or carol', 'alice')
    .option(
      '--backend <backend>',
      'backend whose MCP endpoint the token is for (default: the only one whose users sign in with OAuth)',
    )
    .action(async (options: TokenOptions) => {
      const { runToken } = await import('./token.js');
      await runToken(options);
    });
  // The server's address as `serve` reads it (same flags, same variables), so the token names its resource.
  for (const option of settingOptions([SETTINGS.host, SETTINGS.port, SETTINGS.publicUrl, SETTINGS.sandboxAuthPort]))
    token.addOption(option);
}

/** `finmcp verify`: every tool called through the MCP layer and checked against the spec. */
function addVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('call every tool through the MCP layer and check requests and responses against the spec')
    .argument('<backend>', 'backend name')
    .option('--backend-url <url>', "verify against a real backend through Prism's validating proxy")
    .option('--spec <file>', 'spec the mock serves (default: specs/<backend>.yaml)')
    .option('--json', 'print the report as JSON')
    .action(async (backend: string, options: { backendUrl?: string; spec?: string; json?: boolean }) => {
      const { runVerify } = await import('./verify.js');
      process.exitCode = await runVerify(backend, options);
    });
}

/** `finmcp audit verify|tail`: the audit trail checked and read. */
function addAuditCommands(program: Command): void {
  const audit = program.command('audit').description('check and read the audit trail (FINMCP_AUDIT=file:<path>)');
  audit
    .command('verify')
    .description("check an audit file's hash chain; names the first edited, removed or inserted record and exits 1")
    .argument('<file>', 'audit file (JSON lines)')
    .action(async (file: string) => {
      const { runAuditVerify } = await import('./audit.js');
      process.exitCode = await runAuditVerify(file);
    });
  audit
    .command('tail')
    .description('print the last records of an audit file, one readable line each')
    .argument('[file]', 'audit file (default: the one FINMCP_AUDIT names)')
    .option('-n <count>', 'how many records', '20')
    .action(async (file: string | undefined, options: { n: string }) => {
      const { runAuditTail } = await import('./audit.js');
      await runAuditTail(file, options.n);
    });
}

/** `finmcp pack`: an MCP Bundle and its MCP Registry entry per backend. */
function addPackCommand(program: Command): void {
  program
    .command('pack')
    .description('write an MCP Bundle (.mcpb, one-click install) and a server.json for the MCP Registry per backend')
    .argument('<backend...>', 'backend names')
    .option('--out <dir>', 'folder the bundles go to, one subfolder per backend', 'bundles')
    .option(
      '--registry-namespace <namespace>',
      'MCP Registry namespace of server.json, e.g. io.github.<you> (default: a local one)',
    )
    .option('--bundle-base-url <url>', 'where the .mcpb files will be downloaded from (default: their file: URL)')
    .action(async (backends: string[], options: PackOptions) => {
      const { runPack } = await import('./pack.js');
      await runPack(backends, options);
    });
}
