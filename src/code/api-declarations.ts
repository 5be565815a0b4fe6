/**
 * The TypeScript declarations of code mode's `api` object: one method per served tool, `api.<tool>(args)`
 * taking the tool's served input and resolving to its structured result (see schema-to-ts.ts for why the served
 * schemas are the source). The same text is what `search_api` shows the model and what `run_code` type-checks
 * programs against, so what the model reads is exactly what the checker enforces.
 */
import type { JsonSchema, ListedTool } from '../../contract/descriptor.js';
import { isObject } from '../../contract/json.js';
import { defDeclarations, jsDoc, typeText } from './schema-to-ts.js';

/** One method of `api`. */
interface MethodDeclaration {
  /** JSDoc and signature, as a member of `interface Api`. */
  text: string;
  /** Named types (`$defs`) the signature uses, directly or through other named types. */
  uses: ReadonlySet<string>;
}

/** The declarations of one `api`. */
export interface ApiDeclarations {
  /** Method declaration by tool name. */
  methods: ReadonlyMap<string, MethodDeclaration>;
  /** `type X = …;` by name. */
  types: ReadonlyMap<string, string>;
  /** The whole `.d.ts` programs are checked against: `api`, `console` and every named type. */
  file: string;
}

/** Named types mentioned in a piece of type text (only names that are declared count). */
function mentioned(text: string, declared: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  for (const match of text.matchAll(/\b[A-Za-z_$][A-Za-z0-9_$]*\b/g)) if (declared.has(match[0])) out.add(match[0]);
  return out;
}

/** Adds, transitively, the named types that `names` use. */
function closure(names: Iterable<string>, types: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  const todo = [...names];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    if (out.has(name)) continue;
    out.add(name);
    for (const used of mentioned(types.get(name) ?? '', types)) if (!out.has(used)) todo.push(used);
  }
  return out;
}

/**
 * A tool's name as a member of `interface Api`: as is when it is an identifier (`api.list_invoices`), quoted
 * otherwise (`api["repos_list-releases"]`: published APIs name operations with hyphens).
 */
function memberName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/** Whether `api.<tool>()` may be called without arguments. */
function argsOptional(schema: JsonSchema): boolean {
  return !Array.isArray(schema['required']) || schema['required'].length === 0;
}

/** Builds the declarations of the served tools (in the order given). */
export function apiDeclarations(
  tools: readonly ListedTool[],
  operations: ReadonlyMap<string, string>,
): ApiDeclarations {
  const types = new Map<string, string>();
  for (const tool of tools) {
    for (const schema of [tool.inputSchema, tool.outputSchema]) {
      if (schema === undefined) continue;
      // The generator names shared definitions once per backend: a name stands for one schema.
      for (const [name, text] of defDeclarations(schema)) if (!types.has(name)) types.set(name, text);
    }
  }
  const methods = new Map<string, MethodDeclaration>();
  for (const tool of tools) {
    const input = typeText(tool.inputSchema, 0, '  ');
    const output = isObject(tool.outputSchema)
      ? typeText(tool.outputSchema, 0, '  ', false)
      : 'Record<string, unknown>';
    const operation = operations.get(tool.name);
    const heading = `${tool.title ?? tool.name}${operation === undefined || operation === '' ? '' : ` — ${operation}`}${tool.annotations?.readOnlyHint === true ? '' : ' (changes data)'}`;
    // The description's first paragraph: the rest (examples, return notes) repeats what the types say.
    const summary =
      (tool.description ?? '')
        .split(/\n\s*\n/)
        .find((part) => part.trim() !== '' && part.trim() !== `${tool.title ?? ''}.`) ?? '';
    const doc = jsDoc(`${heading}\n${summary.trim()}`, [], '  ');
    const text = `${doc}  ${memberName(tool.name)}(args${argsOptional(tool.inputSchema) ? '?' : ''}: ${input}): Promise<${output}>;`;
    methods.set(tool.name, { text, uses: closure(mentioned(`${input} ${output}`, types), types) });
  }
  const file = [
    '/** The API: each method calls one operation and resolves to its result, or throws an Error saying why not. */',
    'interface Api {',
    ...[...methods.values()].map((m) => m.text),
    '}',
    'declare const api: Api;',
    '/** Lines written here come back with the result. */',
    'declare const console: { log(...data: unknown[]): void; info(...data: unknown[]): void; warn(...data: unknown[]): void; error(...data: unknown[]): void; debug(...data: unknown[]): void };',
    ...types.values(),
    '',
  ].join('\n');
  return { methods, types, file };
}

/** The declarations to show for some methods: each method, then the named types they use. */
export function declarationsFor(decls: ApiDeclarations, names: readonly string[]): string {
  const used = new Set<string>();
  const parts: string[] = [];
  for (const name of names) {
    const method = decls.methods.get(name);
    if (method === undefined) continue;
    parts.push(method.text);
    for (const type of method.uses) used.add(type);
  }
  const typeText = [...used].sort().map((name) => decls.types.get(name) as string);
  return [`interface Api {`, ...parts, '}', ...typeText].join('\n');
}
