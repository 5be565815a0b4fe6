/**
 * Applies a backend's overrides to its generated tool descriptors and precomputes everything a call needs: the
 * `tools/list` entries (MCP 2025-11-25 "Tools → Listing Tools": name, title, description, inputSchema, outputSchema,
 * annotations), bindings, commonInput checks, request plans and response shapers. `generated/` itself is never
 * changed: the served schemas are copies.
 *
 * Start-up reads only what naming, selecting and checking the tools needs (a descriptor's name, title, description,
 * annotations and operation: the generated catalogue). A tool's schemas, bindings, request plan, response shaper and
 * validator are built on its first use — listed, described or called — by getters that then keep what they built
 * (issue 23: a backend's index loads a tool's descriptor file and validator module only when asked, so a server
 * serving one tool of Stripe's 452 reads one). Served entries are plain objects with these getters as their own
 * properties, so that spreading or serializing them (a `tools/list` page) reads what is needed, and nothing else.
 */
import type { BackendOverrides, HandWrittenTool, OverriddenBackend, ToolOverride } from './backend-overrides.js';
import {
  describedEntry,
  type GeneratedBackend,
  type JsonSchema,
  type ListedTool,
  type PrecompiledValidator,
  type ToolAnnotations,
  type ToolDescriptor,
} from '../../contract/descriptor.js';
import { compileSimpleCheck, type SimpleCheck } from './common-input.js';
import { compileResponseShaper, type ResponseShaper } from './large-response.js';
import { compileRequestPlan, type RequestPlan } from './request-builder.js';
import type { ToolSelection } from './tool-selection.js';

/** A function filling one input property from the call context. */
type BindFn = NonNullable<ToolOverride['bind']>[string];

/** What generated and hand-written tools share once served. */
export interface ServedBase {
  listed: ListedTool;
  /** Properties filled from the context, never by the model. */
  bind: ReadonlyArray<readonly [string, BindFn]>;
  /** Bound properties the original schema requires: a bind returning nothing is an error for them. */
  requiredBound: ReadonlySet<string>;
  /** commonInput properties this tool accepts (and takes out before validation), with their checks. */
  common: ReadonlyArray<readonly [string, SimpleCheck]>;
  check?: ToolOverride['check'];
}

/** A generated operation, ready to call. */
export interface GeneratedTool extends ServedBase {
  kind: 'generated';
  /** The generated tool name (stable, used by `callOperation`). */
  generatedName: string;
  descriptor: ToolDescriptor;
  validator: PrecompiledValidator;
  plan: RequestPlan;
  /** May be sent again after it possibly reached the backend. */
  idempotent: boolean;
  shaper: ResponseShaper;
  wrapIn?: string;
  /** The output schema describes a JSON body: a 2xx in any other media type is a backend fault. */
  expectsJson: boolean;
}

/** A hand-written tool from `extraTools`. */
export interface ExtraTool extends ServedBase {
  kind: 'hand';
  tool: HandWrittenTool;
}

/** A served tool of either kind. */
type ServedTool = GeneratedTool | ExtraTool;

/** The served view of one backend. */
export interface ServedTools {
  /** Served (listed) name → tool. */
  served: Map<string, ServedTool>;
  /** The `tools/list` array, built once. */
  listed: ListedTool[];
  /** Every generated operation by generated name, hidden or filtered ones included (for `callOperation`). */
  operations: Map<string, GeneratedTool>;
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** RFC 9110 §9.2.2 idempotent methods. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['get', 'head', 'put', 'delete', 'options']);

function schemaProperties(schema: JsonSchema): Record<string, JsonSchema> {
  const p = schema['properties'];
  return p !== null && typeof p === 'object' ? (p as Record<string, JsonSchema>) : {};
}

function schemaRequired(schema: JsonSchema): string[] {
  const r = schema['required'];
  return Array.isArray(r) ? r.map(String) : [];
}

/**
 * The served inputSchema: bound properties removed (from `properties` and `required`), commonInput added
 * (optional, and never over a property the tool already has).
 */
function servedInputSchema(
  schema: JsonSchema,
  bound: ReadonlySet<string>,
  common: Record<string, JsonSchema>,
  commonNames: readonly string[],
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(schemaProperties(schema))) if (!bound.has(k)) properties[k] = v;
  for (const k of commonNames) properties[k] = common[k] as JsonSchema;
  const out: JsonSchema = { ...schema, type: 'object', properties };
  const required = schemaRequired(schema).filter((r) => !bound.has(r));
  if (required.length > 0) out['required'] = required;
  else delete out['required'];
  return out;
}

/** Per-tool bindings: backend-wide ones for properties the tool has, then the tool's own (which win). */
function bindingsFor(
  schema: JsonSchema,
  overrides: BackendOverrides,
  override: ToolOverride | undefined,
): Map<string, BindFn> {
  const props = schemaProperties(schema);
  const out = new Map<string, BindFn>();
  for (const [k, fn] of Object.entries(overrides.bind ?? {})) if (k in props) out.set(k, fn);
  for (const [k, fn] of Object.entries(override?.bind ?? {})) out.set(k, fn);
  return out;
}

/**
 * Defines `keys` on `target` as enumerable getters (and setters) of the object `build` returns, built on first
 * access of any of them; then they become plain data properties holding what was built.
 */
function lazyFields<T extends object>(target: T, keys: ReadonlyArray<string>, build: () => Record<string, unknown>): T {
  const fill = (): void => {
    const built = build();
    for (const key of keys) {
      Object.defineProperty(target, key, { value: built[key], enumerable: true, configurable: true, writable: true });
    }
  };
  for (const key of keys) {
    Object.defineProperty(target, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        fill();
        return (target as Record<string, unknown>)[key];
      },
      set: (value: unknown) => {
        fill();
        (target as Record<string, unknown>)[key] = value;
      },
    });
  }
  return target;
}

/** What a served tool's listing is made of: its summary now, its schemas when first needed. */
interface ToolSource {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  /** Whether it has an output schema (every generated tool has one). */
  hasOutput: boolean;
  schemas: () => { inputSchema: JsonSchema; outputSchema: JsonSchema | undefined };
}

interface BaseParts {
  base: ServedBase;
  hidden: boolean;
}

function serveBase(
  source: ToolSource,
  overrides: BackendOverrides,
  override: ToolOverride | undefined,
  commonChecks: ReadonlyMap<string, SimpleCheck>,
): BaseParts {
  const mergedAnnotations: ToolAnnotations = { ...source.annotations, ...override?.annotations };
  const servedTitle = override?.title ?? source.title;
  if (override?.title !== undefined) mergedAnnotations.title = override.title;
  // Built on first use: the served input schema (bound properties out, commonInput in) and what binds them.
  const parts = (): Record<string, unknown> => {
    const { inputSchema, outputSchema } = source.schemas();
    const bind = bindingsFor(inputSchema, overrides, override);
    const bound = new Set(bind.keys());
    const own = schemaProperties(inputSchema);
    const commonNames = [...commonChecks.keys()].filter((k) => !(k in own) && !bound.has(k));
    const required = new Set(schemaRequired(inputSchema));
    return {
      inputSchema: servedInputSchema(inputSchema, bound, overrides.commonInput ?? {}, commonNames),
      outputSchema,
      bind: [...bind.entries()],
      requiredBound: new Set([...bound].filter((b) => required.has(b))),
      common: commonNames.map((k) => [k, commonChecks.get(k) as SimpleCheck] as const),
    };
  };
  let built: Record<string, unknown> | undefined;
  const once = (): Record<string, unknown> => (built ??= parts());
  // The order tools/list has always shown: name, title, description, inputSchema, outputSchema, annotations.
  const listed = lazyFields(
    {
      name: override?.name ?? source.name,
      title: servedTitle,
      description: override?.description ?? source.description,
    },
    source.hasOutput ? ['inputSchema', 'outputSchema'] : ['inputSchema'],
    once,
  ) as ListedTool;
  listed.annotations = mergedAnnotations;
  const base = lazyFields({ listed } as ServedBase, ['bind', 'requiredBound', 'common'], once);
  if (override?.check !== undefined) base.check = override.check;
  return { base, hidden: override?.hidden === true };
}

/** A generated tool's listing source: its catalogue members now, its schemas from its descriptor when needed. */
function generatedSource(d: ToolDescriptor): ToolSource {
  return {
    ...describedEntry(d),
    annotations: d.annotations,
    hasOutput: true,
    schemas: () => ({ inputSchema: d.inputSchema, outputSchema: d.outputSchema }),
  };
}

/**
 * A generated operation: a stand-in whose `kind`, names, descriptor, listing and idempotency are set, and whose
 * first read of anything else builds the tool a call needs (its validator loaded, its request plan and response
 * shaper compiled) as one plain object, handed to `replace` so that the maps serving it hold that object from then
 * on: calls read plain properties, as when everything was built at start-up.
 */
function generatedTool(
  d: ToolDescriptor,
  base: ServedBase,
  validators: GeneratedBackend['validators'],
  maxResponseBytes: number,
  replace: (built: GeneratedTool) => void,
): GeneratedTool {
  const idempotent = IDEMPOTENT_METHODS.has(d.operation.method) && base.listed.annotations?.idempotentHint !== false;
  let built: GeneratedTool | undefined;
  const build = (): GeneratedTool => {
    if (built !== undefined) return built;
    built = {
      listed: base.listed,
      bind: base.bind,
      requiredBound: base.requiredBound,
      common: base.common,
      ...(base.check !== undefined ? { check: base.check } : {}),
      kind: 'generated',
      generatedName: d.name,
      descriptor: d,
      validator: validators[d.name] as PrecompiledValidator,
      plan: compileRequestPlan(d),
      idempotent,
      shaper: compileResponseShaper(d.outputSchema, d.pagination, maxResponseBytes),
      ...(d.output.wrapIn !== undefined ? { wrapIn: d.output.wrapIn } : {}),
      expectsJson: d.output.contentType !== undefined && JSON_MEDIA.test(d.output.contentType),
    };
    replace(built);
    return built;
  };
  const standIn = {
    kind: 'generated',
    generatedName: d.name,
    descriptor: d,
    idempotent,
    listed: base.listed,
    ...(base.check !== undefined ? { check: base.check } : {}),
  } as GeneratedTool;
  for (const key of ['bind', 'requiredBound', 'common', 'validator', 'plan', 'shaper', 'wrapIn', 'expectsJson']) {
    Object.defineProperty(standIn, key, {
      enumerable: true,
      get: () => (build() as unknown as Record<string, unknown>)[key],
    });
  }
  return standIn;
}

/** RFC 9110 §9.2.1 safe methods: what `--read-only` serves. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['get', 'head']);

/**
 * Builds the served tools of one backend. Throws at start-up (never per call) on inconsistent overrides: an
 * override for a tool that does not exist, a missing validator, or two tools served under one name. A `select`ion
 * narrows what is listed and callable; every operation stays reachable for overrides (`callOperation`).
 */
export function buildServedTools(
  module: OverriddenBackend,
  maxResponseBytes: number,
  select?: ToolSelection,
): ServedTools {
  const { generated, overrides } = module;
  const toolOverrides = overrides.tools ?? {};
  const known = new Set([...generated.tools.map((t) => t.name), ...(overrides.extraTools ?? []).map((t) => t.name)]);
  for (const k of Object.keys(toolOverrides)) {
    if (!known.has(k)) throw new Error(`overrides for ${generated.name}: no tool named "${k}" to override`);
  }
  const commonChecks = new Map<string, SimpleCheck>();
  for (const [k, schema] of Object.entries(overrides.commonInput ?? {}))
    commonChecks.set(k, compileSimpleCheck(k, schema));
  const allowed = overrides.allowedMethods === undefined ? undefined : new Set(overrides.allowedMethods);

  const served = new Map<string, ServedTool>();
  const listed: ListedTool[] = [];
  const operations = new Map<string, GeneratedTool>();
  const add = (tool: ServedTool): void => {
    const name = tool.listed.name;
    if (served.has(name)) throw new Error(`overrides for ${generated.name}: two tools are served as "${name}"`);
    served.set(name, tool);
    listed.push(tool.listed);
  };

  for (const d of generated.tools) {
    // Asked for, not read: reading a validator loads its module (see generated/<backend>/index.gen.js).
    if (!Object.hasOwn(generated.validators, d.name))
      throw new Error(`generated backend ${generated.name}: no validator for tool "${d.name}"`);
    const { base, hidden } = serveBase(generatedSource(d), overrides, toolOverrides[d.name], commonChecks);
    const tool = generatedTool(d, base, generated.validators, maxResponseBytes, (built) => {
      operations.set(d.name, built);
      if (served.get(built.listed.name) === tool) served.set(built.listed.name, built);
    });
    operations.set(d.name, tool);
    const selected =
      select === undefined ||
      select({ name: base.listed.name, tags: d.operation.tags, readOnly: SAFE_METHODS.has(d.operation.method) });
    if (!hidden && selected && (allowed === undefined || allowed.has(d.operation.method))) add(tool);
  }

  for (const t of overrides.extraTools ?? []) {
    const source: ToolSource = {
      ...t,
      hasOutput: t.outputSchema !== undefined,
      schemas: () => ({ inputSchema: t.inputSchema, outputSchema: t.outputSchema }),
    };
    const { base, hidden } = serveBase(source, overrides, toolOverrides[t.name], commonChecks);
    const readOnly = base.listed.annotations?.readOnlyHint === true || t.session === true;
    const selected = select === undefined || select({ name: base.listed.name, tags: [], readOnly });
    if (!hidden && selected) add({ ...base, kind: 'hand', tool: t });
  }
  return { served, listed, operations };
}
