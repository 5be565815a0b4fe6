/**
 * The schema pipeline: an OpenAPI 3.1 §4.8.24 Schema Object (with `$ref`s into the bundled spec) → one
 * self-contained JSON Schema 2020-12 that ajv compiles in strict mode. Each concept lives in its own module; this
 * one walks the subschemas (applicator vocabulary, §10) and applies them in order:
 * refs → 3.0 compatibility → keyword filter → children → discriminator tags → read/write-only → allOf merge →
 * array items → implicit object/array types → (outputs) value assertions dropped; and once the tool schema is complete, `$defs` and implicit scalar types.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { type SchemaMode, removeHiddenProperties } from './access.js';
import { mergeAllOf } from './all-of.js';
import { ensureArrayItems } from './array-items.js';
import { applyDiscriminatorTags, discriminatorTags } from './discriminator.js';
import { addImplicitScalarTypes, addImplicitType } from './implicit-type.js';
import { isObject } from './json.js';
import { keepJsonSchemaKeywords } from './keywords.js';
import { fromOpenApi30 } from './openapi30.js';
import { loosenOutputSchema } from './output-constraints.js';
import { resolvePointer } from '../../contract/pointer.js';
import { DefsRegistry, type RefStack, isRecursive } from './refs.js';
import { reachableRefCount, sharedRefs } from './shared-refs.js';
import { LIST_SUBSCHEMA_KEYWORDS, MAP_SUBSCHEMA_KEYWORDS, SINGLE_SUBSCHEMA_KEYWORDS } from './walk.js';

export type { SchemaMode } from './access.js';

/** `$ref` siblings that only annotate: they override the referenced schema's own values. */
const ANNOTATION_SIBLINGS: ReadonlySet<string> = new Set([
  'title',
  'description',
  'summary',
  'default',
  'example',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Options of a {@link SchemaConverter}. */
export interface ConvertOptions {
  /** Collects keywords dropped because neither JSON Schema 2020-12 nor OpenAPI defines them. */
  ignored?: Set<string>;
  /** Keep `title`/`description` in output schemas (the spec-root extension `x-finmcp-output-descriptions`). */
  outputDescriptions?: boolean;
  /**
   * References reached through this many references or more are left open (`{}`: any value): a looser schema that
   * every instance of the full one still matches. For output schemas that would otherwise be too big to list.
   */
  maxRefDepth?: number;
}

/**
 * Output schemas carry what a client validates with — types, enums, required (output-constraints.ts) — and no
 * prose by default: the model learns what a tool returns from the tool description and reads the result itself,
 * while every repeated field description costs tokens in each `tools/list` (it was 70 % of FinOpps' list).
 * Examples validate nothing and the model sees real results: they always go.
 */
function stripOutputProse(schema: JsonSchema, keepDescriptions: boolean): void {
  delete schema['examples'];
  if (keepDescriptions) return;
  delete schema['description'];
  delete schema['title'];
}

/**
 * Converts the schemas of ONE tool schema (an input or an output): every `convert` call may request `$defs`, and
 * {@link SchemaConverter.finish} attaches them to the root. Every result is a fresh object (safe to mutate).
 */
export class SchemaConverter {
  private readonly defs = new DefsRegistry();
  /** Property names removed (read-only / write-only) from a converted schema, for enclosing `allOf` merges. */
  private readonly hidden = new WeakMap<object, string[]>();

  constructor(
    private readonly document: unknown,
    readonly mode: SchemaMode,
    private readonly options: ConvertOptions = {},
  ) {}

  /** References written once in `$defs` (those used more than once in the tool schema; see shared-refs.ts). */
  private shared: ReadonlySet<string> = new Set();

  /**
   * Declares every raw schema the tool schema will be built from (an input: each parameter's and the body's), so
   * that a definition reached from several of them — or several times from one — is written once in `$defs`.
   * `expanded` is a schema whose own root must be written out (a body whose fields become input properties).
   * Without it, an output's {@link convert} counts only its own schema and an input inlines every reference.
   */
  shareAcross(raws: readonly unknown[], expanded?: unknown): void {
    this.shared = sharedRefs(this.document, raws);
    this.expanded = expanded;
    this.declared = true;
  }

  private declared = false;
  /** Per `$defs` reference, the fewest references taken to reach it (its content is that much deeper). */
  private readonly defDepth = new Map<string, number>();
  /** References taken to reach the definition being built ({@link finish}); 0 for the tool schema itself. */
  private baseDepth = 0;
  /** The raw reference that is written out where it stands even when shared (a root that must be an object). */
  private expanded: unknown;

  /** Converts one raw schema (boolean schemas pass through). */
  convert(raw: unknown): JsonSchema | boolean {
    if (this.mode === 'output' && !this.declared) {
      this.shared = sharedRefs(this.document, raw);
      // The root itself is always written out: the tool's output root must be a plain `type: object`. Its other
      // uses (a recursive account inside a bank account inside the account) still point at its definition.
      this.expanded = raw;
    }
    return this.node(raw, []);
  }

  /** How many distinct references `raw` reaches: a cheap measure of how big its conversion will be. */
  reachableRefs(raw: unknown): number {
    return reachableRefCount(this.document, raw);
  }

  /** Converts a raw schema that must be an object schema (`true` → `{}`; `false` → `{ not: {} }`). */
  convertObject(raw: unknown): JsonSchema {
    const out = this.convert(raw);
    if (out === true) return {};
    if (out === false) return { not: {} };
    return out;
  }

  /** Builds the `$defs` requested so far (and those they request) and attaches them to `root` in place. */
  finish(root: JsonSchema): JsonSchema {
    const defs: Record<string, JsonSchema | boolean> = {};
    for (let next = this.defs.next(); next !== undefined; next = this.defs.next()) {
      this.baseDepth = this.defDepth.get(next.ref) ?? 0;
      defs[next.name] = this.node(resolvePointer(this.document, next.ref), [next.ref]);
    }
    this.baseDepth = 0;
    if (Object.keys(defs).length > 0) root['$defs'] = defs;
    addImplicitScalarTypes(root);
    return root;
  }

  private node(raw: unknown, stack: RefStack): JsonSchema | boolean {
    if (typeof raw === 'boolean') return raw;
    if (!isObject(raw)) return {};
    if (typeof raw['$ref'] === 'string') return this.ref(raw, raw['$ref'], stack);

    const tags = discriminatorTags(raw);
    const schema = keepJsonSchemaKeywords(fromOpenApi30(raw), this.options.ignored);
    if (this.mode === 'output') stripOutputProse(schema, this.options.outputDescriptions === true);
    for (const keyword of SINGLE_SUBSCHEMA_KEYWORDS) {
      if (keyword in schema) schema[keyword] = this.node(schema[keyword], stack);
    }
    for (const keyword of MAP_SUBSCHEMA_KEYWORDS) {
      const map = schema[keyword];
      if (isObject(map)) {
        schema[keyword] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, this.node(v, stack)]));
      }
    }
    for (const keyword of LIST_SUBSCHEMA_KEYWORDS) {
      const list = schema[keyword];
      if (Array.isArray(list)) schema[keyword] = list.map((item: unknown) => this.node(item, stack));
    }
    if (tags !== undefined) applyDiscriminatorTags(schema, tags);

    return this.complete(schema);
  }

  /** The steps that run once a schema's children are converted. */
  private complete(schema: JsonSchema): JsonSchema {
    const hidden = removeHiddenProperties(schema, this.mode);
    const members = Array.isArray(schema['allOf']) ? (schema['allOf'] as unknown[]) : [];
    for (const member of members) if (isObject(member)) hidden.push(...(this.hidden.get(member) ?? []));
    const merged = mergeAllOf(schema, hidden);
    ensureArrayItems(merged);
    addImplicitType(merged);
    if (this.mode === 'output') loosenOutputSchema(merged);
    if (hidden.length > 0) this.hidden.set(merged, hidden);
    return merged;
  }

  private ref(raw: JsonSchema, ref: string, stack: RefStack): JsonSchema | boolean {
    const depth = this.baseDepth + stack.length;
    const limit = this.options.maxRefDepth;
    const pointed = isRecursive(ref, stack) || (this.shared.has(ref) && raw !== this.expanded);
    let target: JsonSchema | boolean;
    if (limit !== undefined && depth >= limit) target = {};
    else if (pointed) {
      this.defDepth.set(ref, Math.min(this.defDepth.get(ref) ?? depth, depth));
      target = { $ref: this.defs.pointer(ref) };
    } else target = this.node(resolvePointer(this.document, ref), [...stack, ref]);
    const { $ref: _ref, ...siblings } = raw;
    const keys = Object.keys(siblings);
    if (keys.length === 0) return target;
    const converted = this.node(siblings, stack);
    if (typeof converted === 'boolean') return target;
    if (keys.every((k) => ANNOTATION_SIBLINGS.has(k)) && isObject(target)) {
      const out = { ...target, ...converted };
      const hidden = this.hidden.get(target);
      if (hidden !== undefined) this.hidden.set(out, hidden);
      return out;
    }
    // Siblings that constrain (3.1 allows any keyword next to `$ref`) apply together with the target: allOf.
    return this.complete({ allOf: [target, converted] });
  }
}
