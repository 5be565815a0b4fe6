/**
 * Resources, prompts and completion of one backend (MCP 2025-11-25 and 2026-07-28, Server / Resources, Prompts,
 * Utilities / Completion): what a backend serves besides tools, as the dispatch core sees it, and the answers to
 * `resources/list`, `resources/templates/list`, `resources/read`, `prompts/list`, `prompts/get` and
 * `completion/complete`. Whatever provides the entries (src/core/catalogue.ts: the spec's prompts, the OpenAPI
 * document, hand-written ones of a backend's overrides) is the same for every transport and both eras.
 *
 * Errors name the field and the rule: an unknown prompt or argument, a missing required argument, a value outside
 * an argument's enum are -32602; so is a resource that does not exist, with its URI in `data` (SEP-2164).
 */
import { ErrorCode, RpcFailure } from './errors.js';
import { isObject, truncate, type JsonObject } from './messages.js';
import type { Catalogue, ResourceContents } from '../core/catalogue-types.js';
import type { Elicitor } from '../core/call-context.js';

/** Most values one `completion/complete` answer carries (the spec's limit). */
const MAX_COMPLETIONS = 100;

/** The capabilities a catalogue adds to `tools` (resources, prompts, completions for what it has). */
export function catalogueCapabilities(catalogue: Catalogue | undefined, legacy: boolean): JsonObject {
  const capabilities: JsonObject = {};
  if (catalogue === undefined) return capabilities;
  const listChanged = legacy ? { listChanged: false } : {};
  if (catalogue.resources.length > 0 || catalogue.templates.length > 0) capabilities['resources'] = { ...listChanged };
  if (catalogue.prompts.length > 0) capabilities['prompts'] = { ...listChanged };
  if (
    catalogue.prompts.some((p) => p.arguments.length > 0) ||
    catalogue.templates.some((t) => t.complete !== undefined)
  )
    capabilities['completions'] = {};
  return capabilities;
}

/** Whether `method` is one {@link answerCatalogue} answers (for a catalogue that has the feature). */
export function isCatalogueMethod(method: string, catalogue: Catalogue | undefined): boolean {
  if (catalogue === undefined) return false;
  const capabilities = catalogueCapabilities(catalogue, false);
  switch (method) {
    case 'resources/list':
    case 'resources/templates/list':
    case 'resources/read':
      return 'resources' in capabilities;
    case 'prompts/list':
    case 'prompts/get':
      return 'prompts' in capabilities;
    case 'completion/complete':
      return 'completions' in capabilities;
  }
  return false;
}

/**
 * The result of one catalogue request (without the 2026-07-28 members the dispatcher adds); throws RpcFailure.
 * `elicit`: what `prompts/get` may ask the user.
 */
export async function answerCatalogue(
  catalogue: Catalogue,
  method: string,
  params: JsonObject | undefined,
  elicit?: Elicitor,
): Promise<JsonObject> {
  switch (method) {
    case 'resources/list':
      return {
        resources: catalogue.resources.map(({ uri, name, title, description, mimeType }) =>
          strip({ uri, name, title, description, mimeType }),
        ),
      };
    case 'resources/templates/list':
      return {
        resourceTemplates: catalogue.templates.map(({ uriTemplate, name, title, description, mimeType }) =>
          strip({ uriTemplate, name, title, description, mimeType }),
        ),
      };
    case 'resources/read':
      return { contents: await readResource(catalogue, stringParam(params, 'uri')) };
    case 'prompts/list':
      return {
        prompts: catalogue.prompts.map(({ name, title, description, arguments: args }) =>
          strip({
            name,
            title,
            description,
            arguments: args.map((a) => strip({ name: a.name, description: a.description, required: a.required })),
          }),
        ),
      };
    case 'prompts/get':
      return getPrompt(catalogue, params, elicit);
    case 'completion/complete':
      return { completion: complete(catalogue, params) };
  }
  throw new RpcFailure(ErrorCode.MethodNotFound, 'Method not found');
}

async function readResource(catalogue: Catalogue, uri: string): Promise<ResourceContents[]> {
  const resource = catalogue.resources.find((r) => r.uri === uri);
  if (resource !== undefined) return resource.read();
  for (const template of catalogue.templates) {
    const variables = matchTemplate(template.uriTemplate, uri);
    if (variables !== undefined) return template.read(uri, variables);
  }
  throw new RpcFailure(ErrorCode.InvalidParams, `Resource not found: ${truncate(uri)}`, { uri });
}

/** The variables of `uri` under a level-1 template, or undefined when it does not match. */
function matchTemplate(template: string, uri: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`)
    .replace(/\\\{([A-Za-z0-9_]+)\\\}/g, (_, name: string) => {
      names.push(name);
      return '([^/?#]+)';
    });
  const match = new RegExp(`^${pattern}$`).exec(uri);
  if (match === null) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
}

async function getPrompt(
  catalogue: Catalogue,
  params: JsonObject | undefined,
  elicit: Elicitor | undefined,
): Promise<JsonObject> {
  const name = stringParam(params, 'name');
  const prompt = catalogue.prompts.find((p) => p.name === name);
  if (prompt === undefined) throw new RpcFailure(ErrorCode.InvalidParams, `Unknown prompt: ${truncate(name)}`);
  const given = params?.['arguments'] ?? {};
  if (!isObject(given))
    throw new RpcFailure(ErrorCode.InvalidParams, 'Invalid params: params.arguments must be an object of strings');
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    const declared = prompt.arguments.find((a) => a.name === key);
    if (declared === undefined) {
      throw new RpcFailure(
        ErrorCode.InvalidParams,
        `Invalid params: prompt ${name} has no argument ${truncate(key)} (it takes: ${prompt.arguments.map((a) => a.name).join(', ') || 'none'})`,
      );
    }
    if (typeof value !== 'string')
      throw new RpcFailure(ErrorCode.InvalidParams, `Invalid params: arguments.${key} must be a string`);
    if (declared.enum !== undefined && !declared.enum.includes(value)) {
      throw new RpcFailure(
        ErrorCode.InvalidParams,
        `Invalid params: arguments.${key} must be one of ${declared.enum.join(', ')}`,
      );
    }
    args[key] = value;
  }
  for (const declared of prompt.arguments) {
    if (declared.required === true && (args[declared.name] === undefined || args[declared.name] === '')) {
      throw new RpcFailure(
        ErrorCode.InvalidParams,
        `Invalid params: prompt ${name} requires the argument ${declared.name}`,
      );
    }
  }
  const result = await prompt.get(args, elicit);
  return strip({ description: result.description ?? prompt.description, messages: result.messages });
}

function complete(catalogue: Catalogue, params: JsonObject | undefined): JsonObject {
  const ref = params?.['ref'];
  const argument = params?.['argument'];
  if (!isObject(ref) || typeof ref['type'] !== 'string')
    throw new RpcFailure(
      ErrorCode.InvalidParams,
      'Invalid params: params.ref must be a ref/prompt or ref/resource object',
    );
  if (!isObject(argument) || typeof argument['name'] !== 'string' || typeof argument['value'] !== 'string') {
    throw new RpcFailure(ErrorCode.InvalidParams, 'Invalid params: params.argument must have string name and value');
  }
  const context =
    isObject(params?.['context']) && isObject(params['context']['arguments'])
      ? (params['context']['arguments'] as Record<string, string>)
      : {};
  const { name: argName, value } = argument as { name: string; value: string };
  let candidates: readonly string[];
  if (ref['type'] === 'ref/prompt') {
    const prompt = catalogue.prompts.find((p) => p.name === ref['name']);
    if (prompt === undefined)
      throw new RpcFailure(ErrorCode.InvalidParams, `Unknown prompt: ${truncate(String(ref['name']))}`);
    const declared = prompt.arguments.find((a) => a.name === argName);
    if (declared === undefined)
      throw new RpcFailure(
        ErrorCode.InvalidParams,
        `Invalid params: prompt ${prompt.name} has no argument ${truncate(argName)}`,
      );
    candidates = [...(declared.enum ?? []), ...(declared.examples ?? [])];
  } else if (ref['type'] === 'ref/resource') {
    const template = catalogue.templates.find((t) => t.uriTemplate === ref['uri']);
    if (template === undefined)
      throw new RpcFailure(ErrorCode.InvalidParams, `Unknown resource template: ${truncate(String(ref['uri']))}`);
    candidates = template.complete?.(argName, value, context) ?? [];
  } else {
    throw new RpcFailure(ErrorCode.InvalidParams, `Invalid params: params.ref.type must be ref/prompt or ref/resource`);
  }
  const needle = value.toLowerCase();
  const values = [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(needle));
  return { values: values.slice(0, MAX_COMPLETIONS), total: values.length, hasMore: values.length > MAX_COMPLETIONS };
}

function stringParam(params: JsonObject | undefined, key: string): string {
  const value = params?.[key];
  if (typeof value !== 'string')
    throw new RpcFailure(ErrorCode.InvalidParams, `Invalid params: params.${key} must be a string`);
  return value;
}

/** The object without its undefined members (JSON leaves them out anyway; tests compare objects). */
function strip<T extends Record<string, unknown>>(value: T): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as JsonObject;
}
