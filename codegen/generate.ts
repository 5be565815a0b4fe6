/**
 * `finmcp generate`: every `specs/*.yaml` (OpenAPI 3.1) → `generated/<backend>/` (types, client, tool descriptors,
 * precompiled validators, index), the registry `generated/index.gen.ts` and `docs/tools.md`, plus a change report
 * of what the new tools mean for existing clients. `check: true` writes nothing and fails when anything is stale.
 *
 * Work per spec is done once: hey-api parses and bundles (its plugin builds the descriptors), and the same bundled
 * document feeds openapi-typescript; validators are compiled once per backend.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { JsonSchema, ToolDescriptor } from '../src/descriptor.js';
import { renderClientFile } from './emit/client-file.js';
import { type DocsBackend, renderDocsFile } from './emit/docs-file.js';
import { type BackendMeta, renderBackendIndex, renderRegistry } from './emit/index-file.js';
import { parseToolsFile, renderToolsFile } from './emit/tools-file.js';
import { renderTypesFile } from './emit/types-file.js';
import { renderValidatorsFile } from './emit/validators-file.js';
import { type FilePlan, applyPlan, compareWithDisk, toRelative } from './files.js';
import { parseSpec } from './parse/spec.js';
import { diffTools } from './report/diff.js';
import { type BackendReport, type GenerateReport, formatJson, formatText } from './report/format.js';
import { type JsonObject, isObject } from './schema/json.js';

/** Options of {@link runGenerate}; paths are relative to `root` unless absolute. */
export interface GenerateOptions {
  /** Project root: paths written into generated files are relative to it. */
  root: string;
  /** Write nothing; exit 1 when a generated file is stale, missing or extra. */
  check?: boolean;
  /** Print the report as JSON. */
  json?: boolean;
  /** Folder of the specs (default `specs`). */
  specsDir?: string;
  /** Folder of the generated code (default `generated`). */
  outDir?: string;
  /** The tool catalogue (default `docs/tools.md`). */
  docsFile?: string;
}

/** What the CLI prints and exits with. */
export interface GenerateResult {
  exitCode: number;
  output: string;
}

/** A backend name is a folder and an import path: keep it simple. */
const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The spec files of a folder: `*.yaml` / `*.yml`, sorted by name. */
export function listSpecs(specsDir: string): string[] {
  if (!existsSync(specsDir)) return [];
  return readdirSync(specsDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => join(specsDir, file));
}

/** Spec metadata for a backend's index (OpenAPI 3.1 §4.8.2 Info, §4.8.5 Server, §4.8.7 Components). */
function backendMeta(name: string, specFile: string, document: JsonObject): BackendMeta {
  const info = isObject(document['info']) ? document['info'] : {};
  const servers = Array.isArray(document['servers']) ? document['servers'] : [];
  const components = isObject(document['components']) ? document['components'] : {};
  const schemes = isObject(components['securitySchemes']) ? components['securitySchemes'] : {};
  return {
    name,
    title: typeof info['title'] === 'string' ? info['title'] : name,
    version: typeof info['version'] === 'string' ? info['version'] : '',
    specFile,
    servers: servers.filter(isObject).flatMap((s) => (typeof s['url'] === 'string' ? [s['url']] : [])),
    securitySchemes: Object.fromEntries(
      Object.entries(schemes).filter((entry): entry is [string, JsonSchema] => isObject(entry[1])),
    ),
  };
}

/** The committed descriptors of a backend, if its `tools.gen.ts` exists and is readable. */
function committedTools(outDir: string, backend: string): ToolDescriptor[] | undefined {
  const file = join(outDir, backend, 'tools.gen.ts');
  return existsSync(file) ? parseToolsFile(readFileSync(file, 'utf8')) : undefined;
}

/** Backends that have generated output but no spec any more. */
function orphanBackends(outDir: string, names: ReadonlySet<string>): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !names.has(entry.name))
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(outDir, name, 'tools.gen.ts')))
    .sort();
}

/** Generates (or checks) everything; never throws for a bad spec: errors are reported with exit code 1. */
export async function runGenerate(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const root = resolve(options.root);
  const specsDir = resolve(root, options.specsDir ?? 'specs');
  const outDir = resolve(root, options.outDir ?? 'generated');
  const docsFile = resolve(root, options.docsFile ?? 'docs/tools.md');
  const mode = options.check === true ? 'check' : 'write';
  const plan: FilePlan = new Map();
  const outRel = toRelative(root, outDir);
  const errors: string[] = [];
  const docs: DocsBackend[] = [];
  const backends: BackendReport[] = [];
  const names: string[] = [];

  for (const specPath of listSpecs(specsDir)) {
    const name = basename(specPath, extname(specPath));
    const specFile = toRelative(root, specPath);
    if (!BACKEND_NAME.test(name)) {
      errors.push(`${specFile}: backend name "${name}" must match ${String(BACKEND_NAME)}`);
      continue;
    }
    try {
      const parsed = await parseSpec(specPath);
      const meta = backendMeta(name, specFile, parsed.document);
      const dir = `${outRel}/${name}`;
      plan.set(`${dir}/schema.gen.ts`, await renderTypesFile(parsed.document, specFile));
      plan.set(`${dir}/client.gen.ts`, renderClientFile(specFile, meta.title));
      plan.set(`${dir}/tools.gen.ts`, renderToolsFile(specFile, parsed.descriptors));
      plan.set(`${dir}/validators.gen.ts`, renderValidatorsFile(specFile, parsed.descriptors));
      plan.set(`${dir}/index.gen.ts`, renderBackendIndex(meta));
      names.push(name);
      docs.push({ ...meta, tools: parsed.descriptors });
      const previous = committedTools(outDir, name);
      const changes = previous === undefined ? [] : diffTools(previous, parsed.descriptors);
      backends.push({
        backend: name,
        status: previous === undefined ? 'new' : changes.length > 0 ? 'changed' : 'unchanged',
        toolCount: parsed.descriptors.length,
        changes,
      });
    } catch (error) {
      // Messages name the spec by its absolute path; the report uses the root-relative one.
      errors.push(`${specFile}: ${(error as Error).message.split(specPath).join(specFile)}`);
    }
  }
  for (const orphan of orphanBackends(outDir, new Set(names))) {
    const previous = committedTools(outDir, orphan) ?? [];
    backends.push({ backend: orphan, status: 'removed', toolCount: 0, changes: diffTools(previous, []) });
  }

  if (errors.length > 0) {
    // A broken spec must not wipe its committed output: nothing is written or compared.
    const report: GenerateReport = { mode, exitCode: 1, files: [], backends: [], errors };
    return { exitCode: 1, output: options.json === true ? formatJson(report) : formatText(report) };
  }

  plan.set(`${outRel}/index.gen.ts`, renderRegistry(`${toRelative(root, specsDir)}/`, names));
  plan.set(toRelative(root, docsFile), renderDocsFile(docs));
  const files = compareWithDisk(root, plan, [outDir]);
  const stale = files.some((file) => file.status !== 'fresh');
  const exitCode = mode === 'check' && stale ? 1 : 0;
  if (mode === 'write') applyPlan(root, plan, files);
  const report: GenerateReport = { mode, exitCode, files, backends, errors };
  const tools = docs.reduce((sum, backend) => sum + backend.tools.length, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const summary = `${mode === 'check' ? 'checked' : 'generated'} ${names.length} backend${names.length === 1 ? '' : 's'}, ${tools} tools in ${seconds} s`;
  return { exitCode, output: options.json === true ? formatJson(report) : formatText(report, summary) };
}
