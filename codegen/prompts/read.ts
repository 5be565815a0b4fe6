/**
 * Prompts declared in a spec: the spec-root extension `x-finmcp-prompts` (MCP 2025-11-25, Server / Prompts), read
 * into {@link PromptDescriptor}s and checked like the rest of the contract, so a mistake fails `finmcp generate`
 * naming its JSON pointer and the rule rather than reaching a client. Each entry:
 *
 * ```yaml
 * x-finmcp-prompts:
 *   - name: invoice_details            # [A-Za-z0-9_-]{1,64}, unique
 *     title: Invoice details           # optional; defaults to the name
 *     description: Details of one invoice, by its number
 *     text: Get the details for invoice #{invoice_number}   # the user message; {arg} placeholders
 *     tools: [get_invoice]             # tools of this spec that answer it (served only while they all are)
 *     arguments:
 *       - name: invoice_number
 *         description: The invoice number as the user writes it
 *         required: true               # optional, false by default
 *         examples: ['1429']           # optional: offered by completion/complete
 *         enum: [...]                  # optional: the only values accepted (also offered)
 *         default: '...'               # optional, for an argument that is not required
 * ```
 */
import type { PromptArgumentDescriptor, PromptDescriptor, ToolDescriptor } from '../../contract/descriptor.js';
import { isObject } from '../schema/json.js';

/** The spec-root extension holding the prompts. */
const PROMPTS_EXTENSION = 'x-finmcp-prompts';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The spec's prompts, checked against its tools; throws naming the pointer and the rule of the first mistake. */
export function readPrompts(document: Record<string, unknown>, tools: readonly ToolDescriptor[]): PromptDescriptor[] {
  const declared = document[PROMPTS_EXTENSION];
  if (declared === undefined) return [];
  const base = `#/${PROMPTS_EXTENSION}`;
  if (!Array.isArray(declared)) fail(base, 'must be an array of prompts');
  const toolNames = new Set(tools.map((tool) => tool.name));
  const seen = new Set<string>();
  return declared.map((entry, index) => {
    const at = `${base}/${index}`;
    const prompt = readPrompt(entry, at, toolNames);
    if (seen.has(prompt.name)) fail(`${at}/name`, `"${prompt.name}" is declared twice`);
    seen.add(prompt.name);
    return prompt;
  });
}

function readPrompt(entry: unknown, at: string, toolNames: ReadonlySet<string>): PromptDescriptor {
  if (!isObject(entry)) fail(at, 'must be an object');
  allowOnly(entry, at, ['name', 'title', 'description', 'text', 'tools', 'arguments']);
  const name = requiredString(entry, at, 'name');
  if (!NAME.test(name)) fail(`${at}/name`, `"${name}" must match ${String(NAME)}`);
  const title = optionalString(entry, at, 'title') ?? name;
  const description = requiredString(entry, at, 'description');
  const text = requiredString(entry, at, 'text');
  const tools = entry['tools'];
  if (!Array.isArray(tools) || tools.length === 0 || !tools.every((t) => typeof t === 'string')) {
    fail(`${at}/tools`, 'must be a non-empty array of tool names (the tools that answer the prompt)');
  }
  tools.forEach((tool, i) => {
    if (!toolNames.has(tool)) fail(`${at}/tools/${i}`, `"${tool}" is not a tool of this spec`);
  });
  const rawArguments = entry['arguments'] ?? [];
  if (!Array.isArray(rawArguments)) fail(`${at}/arguments`, 'must be an array');
  const args = rawArguments.map((arg, i) => readArgument(arg, `${at}/arguments/${i}`));
  const names = args.map((arg) => arg.name);
  names.forEach((argName, i) => {
    if (names.indexOf(argName) !== i) fail(`${at}/arguments/${i}/name`, `"${argName}" is declared twice`);
  });
  const placeholders = [...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
  for (const placeholder of placeholders) {
    if (!names.includes(placeholder))
      fail(`${at}/text`, `placeholder {${placeholder}} names no argument (declared: ${names.join(', ') || 'none'})`);
  }
  args.forEach((arg, i) => {
    if (!placeholders.includes(arg.name))
      fail(
        `${at}/arguments/${i}`,
        `argument "${arg.name}" is not used in the text (write {${arg.name}} where it goes)`,
      );
  });
  return { name, title, description, text, arguments: args, tools: [...tools] };
}

function readArgument(entry: unknown, at: string): PromptArgumentDescriptor {
  if (!isObject(entry)) fail(at, 'must be an object');
  allowOnly(entry, at, ['name', 'description', 'required', 'enum', 'examples', 'default']);
  const name = requiredString(entry, at, 'name');
  if (!NAME.test(name)) fail(`${at}/name`, `"${name}" must match ${String(NAME)}`);
  const description = requiredString(entry, at, 'description');
  const required = entry['required'] ?? false;
  if (typeof required !== 'boolean') fail(`${at}/required`, 'must be a boolean');
  const values = (key: 'enum' | 'examples'): string[] | undefined => {
    const list = entry[key];
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string'))
      fail(`${at}/${key}`, 'must be a non-empty array of strings');
    return [...list];
  };
  const allowed = values('enum');
  const examples = values('examples');
  const fallback = optionalString(entry, at, 'default');
  if (fallback !== undefined && required) fail(`${at}/default`, 'a required argument has no default');
  if (fallback !== undefined && allowed !== undefined && !allowed.includes(fallback))
    fail(`${at}/default`, `"${fallback}" is not one of its enum`);
  return {
    name,
    description,
    required,
    ...(allowed === undefined ? {} : { enum: allowed }),
    ...(examples === undefined ? {} : { examples }),
    ...(fallback === undefined ? {} : { default: fallback }),
  };
}

function allowOnly(entry: Record<string, unknown>, at: string, keys: readonly string[]): void {
  for (const key of Object.keys(entry)) {
    if (!keys.includes(key)) fail(`${at}/${key}`, `unknown member (allowed: ${keys.join(', ')})`);
  }
}

function requiredString(entry: Record<string, unknown>, at: string, key: string): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.trim() === '') fail(`${at}/${key}`, 'must be a non-empty string');
  return value;
}

function optionalString(entry: Record<string, unknown>, at: string, key: string): string | undefined {
  return entry[key] === undefined ? undefined : requiredString(entry, at, key);
}

function fail(pointer: string, rule: string): never {
  throw new Error(`${pointer}: ${rule}`);
}
