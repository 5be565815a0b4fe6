/**
 * The change report: what a regenerated tool list means for an MCP client already using the tools (MCP 2025-11-25
 * "Tools": clients call by name, send `arguments` valid against `inputSchema`, read `structuredContent` described by
 * `outputSchema`). Compares two descriptor lists schema by schema (JSON Schema 2020-12 `properties`, `required`,
 * `type`, `enum`, `items`) with direction: inputs are what the client sends, outputs what it reads.
 *
 * Breaking: removed or renamed tool, removed input, new required input, input becoming required, narrowed input type,
 * removed input enum value, removed output field, output field becoming optional, changed output type, new output
 * enum value (a client may not handle it). Compatible: the opposites.
 */
import type { JsonSchema, ToolDescriptor } from '../../contract/descriptor.js';
import { isObject, jsonEqual, typeList } from '../schema/json.js';

/** Whether a change can break an existing client. */
type Severity = 'breaking' | 'compatible';

/** The kinds of change the report knows. */
type ChangeKind =
  | 'tool-added'
  | 'tool-removed'
  | 'tool-renamed'
  | 'input-added'
  | 'input-removed'
  | 'input-required'
  | 'input-optional'
  | 'input-type'
  | 'input-enum-added'
  | 'input-enum-removed'
  | 'output-added'
  | 'output-removed'
  | 'output-required'
  | 'output-optional'
  | 'output-type'
  | 'output-enum-added'
  | 'output-enum-removed';

/** One change to one tool. */
export interface ToolChange {
  /** The tool's (new) name. */
  tool: string;
  kind: ChangeKind;
  severity: Severity;
  /** Dotted path of the property (`billing.city`, `lines[].amount`), for property changes. */
  property?: string;
  /** Human-readable, self-contained. */
  message: string;
}

/** Longest nested path compared (recursive schemas are cut there). */
const MAX_DEPTH = 8;

type Direction = 'input' | 'output';

/** Follows a local `#/$defs/…` reference within the tool schema `root`. */
function deref(schema: unknown, root: JsonSchema): JsonSchema | undefined {
  let node = schema;
  for (let hops = 0; isObject(node) && typeof node['$ref'] === 'string' && hops < 10; hops += 1) {
    const name = /^#\/\$defs\/(.+)$/.exec(node['$ref'])?.[1];
    const defs = root['$defs'];
    const target = name !== undefined && isObject(defs) ? defs[name] : undefined;
    if (!isObject(target)) return { ...node };
    const { $ref: _ref, ...siblings } = node;
    node = { ...target, ...siblings };
  }
  return isObject(node) ? node : undefined;
}

function describeTypes(types: string[] | undefined): string {
  return types === undefined ? 'any' : types.join(' | ');
}

/** Whether every type of `narrow` is allowed by `wide` (`integer` ⊂ `number`; no type = anything). */
function typesWithin(narrow: string[] | undefined, wide: string[] | undefined): boolean {
  if (wide === undefined) return true;
  if (narrow === undefined) return false;
  return narrow.every((t) => wide.includes(t) || (t === 'integer' && wide.includes('number')));
}

function label(path: readonly string[]): string {
  return path.join('.').replace(/\.\[\]/g, '[]');
}

class SchemaDiff {
  readonly changes: ToolChange[] = [];

  constructor(
    private readonly tool: string,
    private readonly direction: Direction,
    private readonly previousRoot: JsonSchema,
    private readonly nextRoot: JsonSchema,
  ) {}

  private add(kind: ChangeKind, severity: Severity, path: readonly string[], what: string): void {
    const property = label(path);
    const noun = this.direction === 'input' ? 'input' : 'output field';
    this.changes.push({
      tool: this.tool,
      kind,
      severity,
      property,
      message: `${this.tool}: ${noun} \`${property}\` ${what}`,
    });
  }

  /**
   * Compares two schemas at `path`. `refs` holds the `$ref` pairs being expanded on this path: a recursive type is
   * compared once per path, and identical subtrees are skipped unless they reach into `$defs`, which may differ.
   */
  compare(previousRaw: unknown, nextRaw: unknown, path: string[], refs: ReadonlySet<string> = new Set()): void {
    if (path.length > MAX_DEPTH) return;
    let expanding = refs;
    if (isObject(previousRaw) && isObject(nextRaw) && ('$ref' in previousRaw || '$ref' in nextRaw)) {
      const pair = `${String(previousRaw['$ref'])} ${String(nextRaw['$ref'])}`;
      if (refs.has(pair)) return;
      expanding = new Set([...refs, pair]);
    }
    const previous = deref(previousRaw, this.previousRoot);
    const next = deref(nextRaw, this.nextRoot);
    if (previous === undefined || next === undefined) return;
    if (jsonEqual(previous, next) && !JSON.stringify(previous).includes('"$ref"')) return;
    const input = this.direction === 'input';
    if (path.length > 0) {
      const before = typeList(previous);
      const after = typeList(next);
      if (!jsonEqual(before, after)) {
        // Inputs may widen (old arguments stay valid); outputs may narrow (old readers still understand them).
        const safe = input ? typesWithin(before, after) : typesWithin(after, before);
        this.add(
          input ? 'input-type' : 'output-type',
          safe ? 'compatible' : 'breaking',
          path,
          `type changed from ${describeTypes(before)} to ${describeTypes(after)}`,
        );
      }
      this.compareEnums(previous, next, path);
    }
    this.compareProperties(previous, next, path, expanding);
    if (previous['items'] !== undefined && next['items'] !== undefined) {
      this.compare(previous['items'], next['items'], [...path, '[]'], expanding);
    }
  }

  private compareEnums(previous: JsonSchema, next: JsonSchema, path: string[]): void {
    const before = Array.isArray(previous['enum']) ? previous['enum'] : undefined;
    const after = Array.isArray(next['enum']) ? next['enum'] : undefined;
    if (before === undefined || after === undefined) return;
    const input = this.direction === 'input';
    for (const value of before.filter((v) => !after.some((w) => jsonEqual(v, w)))) {
      this.add(
        input ? 'input-enum-removed' : 'output-enum-removed',
        input ? 'breaking' : 'compatible',
        path,
        `enum value ${JSON.stringify(value)} removed`,
      );
    }
    for (const value of after.filter((v) => !before.some((w) => jsonEqual(v, w)))) {
      this.add(
        input ? 'input-enum-added' : 'output-enum-added',
        input ? 'compatible' : 'breaking',
        path,
        input
          ? `enum value ${JSON.stringify(value)} added`
          : `enum value ${JSON.stringify(value)} added (a client may not handle it)`,
      );
    }
  }

  private compareProperties(previous: JsonSchema, next: JsonSchema, path: string[], refs: ReadonlySet<string>): void {
    const before = isObject(previous['properties']) ? previous['properties'] : {};
    const after = isObject(next['properties']) ? next['properties'] : {};
    const requiredBefore = new Set(Array.isArray(previous['required']) ? previous['required'] : []);
    const requiredAfter = new Set(Array.isArray(next['required']) ? next['required'] : []);
    const input = this.direction === 'input';
    for (const name of Object.keys(before)) {
      const at = [...path, name];
      if (!(name in after)) {
        this.add(input ? 'input-removed' : 'output-removed', 'breaking', at, 'removed');
        continue;
      }
      if (!requiredBefore.has(name) && requiredAfter.has(name)) {
        this.add(
          input ? 'input-required' : 'output-required',
          input ? 'breaking' : 'compatible',
          at,
          input ? 'is now required' : 'is now always present',
        );
      } else if (requiredBefore.has(name) && !requiredAfter.has(name)) {
        this.add(
          input ? 'input-optional' : 'output-optional',
          input ? 'compatible' : 'breaking',
          at,
          input ? 'is now optional' : 'is now optional (may be absent)',
        );
      }
      this.compare(before[name], after[name], at, refs);
    }
    for (const name of Object.keys(after)) {
      if (name in before) continue;
      const at = [...path, name];
      if (input) {
        const required = requiredAfter.has(name);
        this.add(
          'input-added',
          required ? 'breaking' : 'compatible',
          at,
          required ? 'added (required)' : 'added (optional)',
        );
      } else {
        this.add('output-added', 'compatible', at, 'added');
      }
    }
  }
}

/** Input and output changes between two versions of one tool. */
function diffTool(previous: ToolDescriptor, next: ToolDescriptor): ToolChange[] {
  const input = new SchemaDiff(next.name, 'input', previous.inputSchema, next.inputSchema);
  input.compare(previous.inputSchema, next.inputSchema, []);
  const output = new SchemaDiff(next.name, 'output', previous.outputSchema, next.outputSchema);
  output.compare(previous.outputSchema, next.outputSchema, []);
  return [...input.changes, ...output.changes];
}

function endpoint(tool: ToolDescriptor): string {
  return `${tool.operation.method.toUpperCase()} ${tool.operation.path}`;
}

/**
 * All changes from `previous` to `next` tool lists. Tools are matched by name; a removed and an added tool on the
 * same method + path are a rename (breaking: clients call by name), and are then compared like a kept tool.
 */
export function diffTools(previous: readonly ToolDescriptor[], next: readonly ToolDescriptor[]): ToolChange[] {
  const before = new Map(previous.map((tool) => [tool.name, tool]));
  const after = new Map(next.map((tool) => [tool.name, tool]));
  const removed = previous.filter((tool) => !after.has(tool.name));
  const added = next.filter((tool) => !before.has(tool.name));
  const changes: ToolChange[] = [];
  const renamedFrom = new Map<string, ToolDescriptor>();
  for (const tool of added) {
    const match = removed.find((old) => endpoint(old) === endpoint(tool) && ![...renamedFrom.values()].includes(old));
    if (match !== undefined) renamedFrom.set(tool.name, match);
  }
  const renamedOld = new Set([...renamedFrom.values()].map((tool) => tool.name));
  for (const tool of removed) {
    if (renamedOld.has(tool.name)) continue;
    changes.push({
      tool: tool.name,
      kind: 'tool-removed',
      severity: 'breaking',
      message: `tool \`${tool.name}\` removed (${endpoint(tool)})`,
    });
  }
  for (const tool of next) {
    const old = before.get(tool.name) ?? renamedFrom.get(tool.name);
    if (old === undefined) {
      changes.push({
        tool: tool.name,
        kind: 'tool-added',
        severity: 'compatible',
        message: `tool \`${tool.name}\` added (${endpoint(tool)})`,
      });
      continue;
    }
    if (old.name !== tool.name) {
      changes.push({
        tool: tool.name,
        kind: 'tool-renamed',
        severity: 'breaking',
        message: `tool \`${old.name}\` renamed to \`${tool.name}\` (${endpoint(tool)})`,
      });
    }
    changes.push(...diffTool(old, tool));
  }
  return changes;
}
