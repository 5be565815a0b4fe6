/**
 * The catalogue of one backend (src/protocol/catalogue.ts): what it serves besides tools, built once at start-up
 * from the same sources as its tools and narrowed by the same selection, so `--tools`, `--tags` and `--read-only`
 * never leave a prompt or document pointing at a tool that is not served.
 *
 * - Resources: the backend's OpenAPI document (`finmcp://<backend>/openapi`, only the served operations when a
 *   selection is in force) and its part of the generated tool catalogue docs/tools.md (`finmcp://<backend>/tools`,
 *   only the served tools), both read on first use and fixed for the life of the process.
 * - Prompts: the spec's `x-finmcp-prompts` (generated into the descriptors), each served while all its tools are;
 *   a prompt's message is its text with the arguments (or their defaults) in place of the `{name}` placeholders.
 * - Hand-written resources, templates and prompts of the overrides, under the same rule.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  describedEntry,
  type GeneratedBackend,
  type PromptDescriptor,
  type ToolDescriptor,
} from '../../contract/descriptor.js';
import { isObject } from '../../contract/json.js';
import type { BackendOverrides } from './backend-overrides.js';
import { projectRoot } from '../paths.js';
import type { Catalogue, ServedPrompt, ServedResource } from './catalogue-types.js';

/** What the catalogue is built from. */
export interface CatalogueSources {
  generated: GeneratedBackend;
  overrides: BackendOverrides;
  /** Tools served: generated ones by their generated name, hand-written ones by name. */
  served: ReadonlySet<string>;
  /** Where specs/ and docs/ are (the project root by default). */
  root?: string;
}

/** The catalogue of a backend; an empty one has no resources, templates or prompts. */
export function buildCatalogue(sources: CatalogueSources): Catalogue {
  const { generated, overrides, served } = sources;
  const root = sources.root ?? projectRoot();
  const allServed = (tools: readonly string[] | undefined): boolean => (tools ?? []).every((tool) => served.has(tool));
  const everyOperation = generated.tools.every((tool) => served.has(tool.name));
  const resources: ServedResource[] = [
    specResource(generated, root, served, everyOperation),
    toolsResource(generated, root, served, everyOperation),
    ...(overrides.extraResources ?? []).filter((r) => allServed(r.tools)),
  ];
  return {
    resources,
    templates: (overrides.extraResourceTemplates ?? []).filter((t) => allServed(t.tools)),
    prompts: [
      ...(generated.prompts ?? []).filter((p) => allServed(p.tools)).map(specPrompt),
      ...(overrides.extraPrompts ?? []).filter((p) => allServed(p.tools)),
    ],
  };
}

/** A spec prompt as served: arguments as declared, the message its text with the arguments filled in. */
function specPrompt(prompt: PromptDescriptor): ServedPrompt {
  return {
    ...describedEntry(prompt),
    arguments: prompt.arguments,
    get: (args) => ({ messages: [{ role: 'user', content: { type: 'text', text: fillPrompt(prompt, args) } }] }),
  };
}

/** The prompt's text with each `{name}` replaced by the argument, or its default (an absent optional one: empty). */
export function fillPrompt(prompt: PromptDescriptor, args: Readonly<Record<string, string>>): string {
  return prompt.text
    .replace(
      /\{([^{}]*)\}/g,
      (_, name: string) => args[name] ?? prompt.arguments.find((a) => a.name === name)?.default ?? '',
    )
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Reads a file once, on first use. */
function cachedText(path: string, transform: (text: string) => string | Promise<string>): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => (text ??= readFile(path, 'utf8').then(transform));
}

function specResource(
  generated: GeneratedBackend,
  root: string,
  served: ReadonlySet<string>,
  everyOperation: boolean,
): ServedResource {
  const uri = `finmcp://${generated.name}/openapi`;
  const json = extname(generated.specFile) === '.json';
  const mimeType = json ? 'application/json' : 'application/yaml';
  const text = cachedText(join(root, generated.specFile), (spec) =>
    everyOperation ? spec : servedOperationsOnly(spec, json, generated.tools, served),
  );
  return {
    uri,
    name: `${generated.name}-openapi`,
    title: `${generated.title} ${generated.version}: OpenAPI document`,
    description: `The OpenAPI contract this server's ${generated.name} tools are generated from${everyOperation ? '' : ' (the operations served)'}.`,
    mimeType,
    read: async () => [{ uri, mimeType, text: await text() }],
  };
}

/** The spec without the operations (and spec prompts) whose tools are not served. */
async function servedOperationsOnly(
  spec: string,
  json: boolean,
  tools: readonly ToolDescriptor[],
  served: ReadonlySet<string>,
): Promise<string> {
  const { parse, stringify } = await import('yaml');
  const document = parse(spec) as Record<string, unknown>;
  const paths = isObject(document['paths']) ? document['paths'] : {};
  for (const tool of tools) {
    if (served.has(tool.name)) continue;
    const item = paths[tool.operation.path];
    if (!isObject(item)) continue;
    delete item[tool.operation.method];
    if (
      !Object.keys(item).some((key) =>
        ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(key),
      )
    )
      delete paths[tool.operation.path];
  }
  const prompts = document['x-finmcp-prompts'];
  if (Array.isArray(prompts)) {
    document['x-finmcp-prompts'] = prompts.filter(
      (p) => !isObject(p) || !Array.isArray(p['tools']) || p['tools'].every((t) => served.has(String(t))),
    );
  }
  return json ? `${JSON.stringify(document, null, 2)}\n` : stringify(document);
}

function toolsResource(
  generated: GeneratedBackend,
  root: string,
  served: ReadonlySet<string>,
  everyOperation: boolean,
): ServedResource {
  const uri = `finmcp://${generated.name}/tools`;
  const mimeType = 'text/markdown';
  const text = cachedText(join(root, 'docs', 'tools.md'), (docs) =>
    backendSection(docs, generated, served, everyOperation),
  );
  return {
    uri,
    name: `${generated.name}-tools`,
    title: `${generated.title}: tool catalogue`,
    description: `Every ${generated.name} tool served, with its parameters and annotations (docs/tools.md).`,
    mimeType,
    read: async () => [{ uri, mimeType, text: await text() }],
  };
}

/**
 * The backend's section of docs/tools.md (from its `## <backend> — ` heading to the next backend's), without the
 * index rows and `### ` sections of tools not served.
 */
function backendSection(
  docs: string,
  generated: GeneratedBackend,
  served: ReadonlySet<string>,
  everyOperation: boolean,
): string {
  const lines = docs.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## ${generated.name} — `));
  if (start === -1) throw new Error(`docs/tools.md has no section for ${generated.name}: run finmcp generate`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const section = lines.slice(start, end === -1 ? undefined : end);
  if (everyOperation) return `${section.join('\n').trimEnd()}\n`;
  const servedTools = generated.tools.filter((tool) => served.has(tool.name));
  const out: string[] = [];
  let keep = true;
  for (const line of section) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading !== null) keep = served.has(heading[1] as string);
    const row = /^\| `([^`]+)` \|/.exec(line);
    if (row !== null && !served.has(row[1] as string)) continue;
    if (!keep) continue;
    out.push(
      /^\d+ tools, generated from/.test(line)
        ? line.replace(/^\d+ tools/, `${servedTools.length} of ${generated.tools.length} tools served`)
        : line,
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
