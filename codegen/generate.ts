/**
 * `finmcp generate`: every `specs/*.{yaml,yml,json}` and `specs/<name>/openapi.{yaml,yml,json}` (OpenAPI 3.0/3.1;
 * Swagger 2.0 converted on load) → `generated/<backend>/` (the descriptors as JSON data — a catalogue and one file
 * per tool —, one CommonJS module of precompiled input validator per tool, an index that loads a tool's parts on its
 * first use, TypeScript types and a typed client), the registry
 * `generated/index.gen.js` and `docs/tools.md`, plus a change report of what the new tools mean for existing clients.
 * `check: true` writes nothing and fails when anything is stale.
 *
 * Specs are independent: one that cannot be read or converted is reported (with the JSON pointer of the failure) and
 * keeps its committed output, the others are generated, and the exit code is 1. What is only odd (keywords no
 * vocabulary defines, patterns ECMAScript cannot run) is a warning, once per spec.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listSpecs, specName } from '../contract/spec-files.js';
import type { JsonSchema, ToolDescriptor } from '../contract/descriptor.js';
import { renderClientFile } from './emit/client-file.js';
import { type DocsBackend, renderDocsFile } from './emit/docs-file.js';
import { readPrompts } from './prompts/read.js';
import {
  type BackendMeta,
  DESCRIPTORS_FILE,
  readDescriptors,
  renderDescriptorsFile,
  renderToolFile,
  toolFile,
} from './emit/descriptors-file.js';
import { renderBackendIndex, renderBackendTypes, renderRegistry, renderRegistryTypes } from './emit/index-file.js';
import { renderCheckedTypesFile } from './emit/types-check.js';
import { toolFileStems } from './emit/tool-files.js';
import { SchemaChecker, dropInvalidPatterns, renderToolValidators, validatorFile } from './emit/validators-file.js';
import { type FilePlan, applyPlan, compareWithDisk, toRelative } from './files.js';
import { type ParsedSpec, parseSpec } from './parse/spec.js';
import { diffTools } from './report/diff.js';
import { type BackendReport, type GenerateReport, formatJson, formatText } from './report/format.js';
import { type JsonObject, isObject } from './schema/json.js';
import { makePortable } from './schema/portable.js';

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

/** The spec-root extension that opts a spec into single-type (portable) schemas; see docs/tools.md. */
export const PORTABLE_EXTENSION = 'x-finmcp-portable-schemas';

export { listSpecs } from '../contract/spec-files.js';
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

/** The committed descriptors of a backend, if it has generated output. */
function committedTools(outDir: string, backend: string): ToolDescriptor[] | undefined {
  if (!existsSync(join(outDir, backend, 'index.gen.js'))) return undefined;
  const dir = join(outDir, backend);
  const file = join(dir, DESCRIPTORS_FILE);
  if (!existsSync(file)) return [];
  return readDescriptors(readFileSync(file, 'utf8'), (path) => readIfExists(join(dir, path))) ?? [];
}

/** A file's text, or undefined when there is none. */
function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Backends that have generated output but no spec any more. */
function orphanBackends(outDir: string, names: ReadonlySet<string>): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !names.has(entry.name))
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(outDir, name, 'index.gen.js')))
    .sort();
}

/** One spec's generated files, planned in `plan` under `dir`; returns its warnings. */
async function planBackend(
  plan: FilePlan,
  dir: string,
  meta: BackendMeta,
  parsed: ParsedSpec,
  checker: SchemaChecker,
  committed: (path: string) => string | undefined,
): Promise<string[]> {
  const warnings: string[] = [...parsed.loadWarnings];
  if (parsed.ignoredKeywords.length > 0) {
    warnings.push(`schema keywords no vocabulary defines were ignored: ${parsed.ignoredKeywords.join(', ')}`);
  }
  const portable = parsed.document[PORTABLE_EXTENSION] === true;
  const dropped: string[] = [];
  const invalidOutputs: string[] = [];
  for (const tool of parsed.descriptors) {
    dropped.push(...dropInvalidPatterns(tool.inputSchema), ...dropInvalidPatterns(tool.outputSchema));
    if (tool.outputSchema !== undefined && !checker.isValid(tool.outputSchema)) {
      // Clients would reject it (or every result against it): published as an open object instead.
      invalidOutputs.push(tool.name);
      tool.outputSchema = { type: 'object' };
    }
    if (portable) makePortable(tool);
  }
  if (invalidOutputs.length > 0) {
    warnings.push(
      `output schema not valid JSON Schema 2020-12, published as an open object: ${invalidOutputs.slice(0, 3).join(', ')}${invalidOutputs.length > 3 ? `, … (${invalidOutputs.length})` : ''}`,
    );
  }
  if (dropped.length > 0) {
    const unique = [...new Set(dropped)];
    warnings.push(
      `${unique.length} pattern${unique.length === 1 ? '' : 's'} that ECMAScript cannot compile ${unique.length === 1 ? 'was' : 'were'} dropped (not validated): ${unique
        .slice(0, 3)
        .map((p) => JSON.stringify(p))
        .join(', ')}${unique.length > 3 ? ', …' : ''}`,
    );
  }
  const stems = toolFileStems(parsed.descriptors.map((tool) => tool.name));
  const validators = renderToolValidators(meta.specFile, parsed.descriptors, checker);
  for (const tool of parsed.descriptors) {
    const stem = stems.get(tool.name) as string;
    plan.set(`${dir}/${toolFile(stem)}`, renderToolFile(meta.specFile, tool));
    plan.set(`${dir}/${validatorFile(stem)}`, validators.get(tool.name) as string);
  }
  plan.set(`${dir}/${DESCRIPTORS_FILE}`, renderDescriptorsFile(meta, parsed.descriptors));
  const types = await renderCheckedTypesFile(parsed.document, meta.specFile, committed(`${dir}/schema.gen.ts`));
  if (types.warning !== undefined) warnings.push(types.warning);
  plan.set(`${dir}/schema.gen.ts`, types.content);
  plan.set(`${dir}/client.gen.ts`, renderClientFile(meta.specFile, meta.title));
  plan.set(`${dir}/index.gen.js`, renderBackendIndex(meta, [...stems.keys()]));
  plan.set(`${dir}/index.gen.d.ts`, renderBackendTypes(meta));
  return warnings;
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
  const warnings: string[] = [];
  const docs: DocsBackend[] = [];
  const backends: BackendReport[] = [];
  const names: string[] = [];
  /** Backends whose spec failed: their committed output is kept as it is. */
  const kept: string[] = [];
  const checker = new SchemaChecker();

  for (const specPath of listSpecs(specsDir)) {
    const name = specName(specsDir, specPath);
    const specFile = toRelative(root, specPath);
    if (!BACKEND_NAME.test(name)) {
      errors.push(`${specFile}: backend name "${name}" must match ${String(BACKEND_NAME)}`);
      continue;
    }
    if (names.includes(name) || kept.includes(name)) {
      errors.push(`${specFile}: another spec already defines backend "${name}"`);
      continue;
    }
    try {
      const parsed = await parseSpec(specPath);
      const prompts = readPrompts(parsed.document, parsed.descriptors);
      const meta: BackendMeta = {
        ...backendMeta(name, specFile, parsed.document),
        ...(prompts.length === 0 ? {} : { prompts }),
      };
      const own: FilePlan = new Map();
      const specWarnings = await planBackend(own, `${outRel}/${name}`, meta, parsed, checker, (path) =>
        readIfExists(join(root, path)),
      );
      for (const [path, content] of own) plan.set(path, content);
      warnings.push(...specWarnings.map((warning) => `${specFile}: ${warning}`));
      names.push(name);
      docs.push({ ...meta, tools: parsed.descriptors });
      const previous = committedTools(outDir, name);
      const changes = previous === undefined ? [] : diffTools(previous, parsed.descriptors);
      backends.push({
        backend: name,
        status: previous === undefined ? 'new' : changes.length > 0 ? 'changed' : 'unchanged',
        toolCount: parsed.descriptors.length,
        changes,
        ...(parsed.convertedFrom === undefined ? {} : { convertedFrom: parsed.convertedFrom }),
      });
    } catch (error) {
      // Messages name the spec by its absolute path; the report uses the root-relative one.
      errors.push(`${specFile}: ${(error as Error).message.split(specPath).join(specFile)}`);
      if (existsSync(join(outDir, name, 'index.gen.js'))) kept.push(name);
    }
  }
  for (const orphan of orphanBackends(outDir, new Set([...names, ...kept]))) {
    const previous = committedTools(outDir, orphan) ?? [];
    backends.push({ backend: orphan, status: 'removed', toolCount: 0, changes: diffTools(previous, []) });
  }

  const registered = [...names, ...kept].sort();
  plan.set(`${outRel}/index.gen.js`, renderRegistry(`${toRelative(root, specsDir)}/`, registered));
  plan.set(`${outRel}/index.gen.d.ts`, renderRegistryTypes(`${toRelative(root, specsDir)}/`));
  // The catalogue covers every backend: with one spec failing it would lose that section, so it waits for a fix.
  if (errors.length === 0) plan.set(toRelative(root, docsFile), renderDocsFile(docs));
  const files = compareWithDisk(
    root,
    plan,
    [outDir],
    kept.map((name) => `${outRel}/${name}/`),
  );
  const stale = files.some((file) => file.status !== 'fresh');
  const exitCode = errors.length > 0 || (mode === 'check' && stale) ? 1 : 0;
  if (mode === 'write') applyPlan(root, plan, files);
  const tools = docs.reduce((sum, backend) => sum + backend.tools.length, 0);
  const seconds = Math.round(performance.now() - started) / 1000;
  // maxRSS is in kilobytes (getrusage(2)).
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const report: GenerateReport = {
    mode,
    exitCode,
    files,
    backends,
    errors,
    warnings,
    stats: { tools, seconds, peakRssMb },
  };
  const summary = `${mode === 'check' ? 'checked' : 'generated'} ${names.length} backend${names.length === 1 ? '' : 's'}, ${tools} tools in ${seconds.toFixed(2)} s (peak memory ${peakRssMb} MB)${errors.length > 0 ? `; ${errors.length} spec${errors.length === 1 ? '' : 's'} failed` : ''}`;
  return { exitCode, output: options.json === true ? formatJson(report) : formatText(report, summary) };
}
