/**
 * Applies a backend's overrides to its generated tool descriptors, once at start-up, and precomputes everything
 * a call needs: the `tools/list` entries (MCP 2025-11-25 "Tools → Listing Tools": name, title, description,
 * inputSchema, outputSchema, annotations), bindings, commonInput checks, request plans and response shapers.
 * `generated/` itself is never changed: the served schemas are copies.
 */
import type { BackendOverrides, HandWrittenTool, OverriddenBackend, ToolOverride } from './backend-overrides.js';
import type {
  JsonSchema,
  ListedTool,
  PrecompiledValidator,
  ToolAnnotations,
  ToolDescriptor,
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

interface BaseParts {
  base: ServedBase;
  hidden: boolean;
}

function serveBase(
  name: string,
  title: string,
  description: string,
  inputSchema: JsonSchema,
  outputSchema: JsonSchema | undefined,
  annotations: ToolAnnotations,
  overrides: BackendOverrides,
  override: ToolOverride | undefined,
  commonChecks: ReadonlyMap<string, SimpleCheck>,
): BaseParts {
  const bind = bindingsFor(inputSchema, overrides, override);
  const bound = new Set(bind.keys());
  const own = schemaProperties(inputSchema);
  const commonNames = [...commonChecks.keys()].filter((k) => !(k in own) && !bound.has(k));
  const served = servedInputSchema(inputSchema, bound, overrides.commonInput ?? {}, commonNames);
  const mergedAnnotations: ToolAnnotations = { ...annotations, ...override?.annotations };
  const servedTitle = override?.title ?? title;
  if (override?.title !== undefined) mergedAnnotations.title = override.title;
  const listed: ListedTool = {
    name: override?.name ?? name,
    title: servedTitle,
    description: override?.description ?? description,
    inputSchema: served,
    ...(outputSchema !== undefined ? { outputSchema } : {}),
    annotations: mergedAnnotations,
  };
  const required = new Set(schemaRequired(inputSchema));
  const base: ServedBase = {
    listed,
    bind: [...bind.entries()],
    requiredBound: new Set([...bound].filter((b) => required.has(b))),
    common: commonNames.map((k) => [k, commonChecks.get(k) as SimpleCheck] as const),
    ...(override?.check !== undefined ? { check: override.check } : {}),
  };
  return { base, hidden: override?.hidden === true };
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
    const validator = generated.validators[d.name];
    if (validator === undefined)
      throw new Error(`generated backend ${generated.name}: no validator for tool "${d.name}"`);
    const override = toolOverrides[d.name];
    const { base, hidden } = serveBase(
      d.name,
      d.title,
      d.description,
      d.inputSchema,
      d.outputSchema,
      d.annotations,
      overrides,
      override,
      commonChecks,
    );
    const tool: GeneratedTool = {
      ...base,
      kind: 'generated',
      generatedName: d.name,
      descriptor: d,
      validator,
      plan: compileRequestPlan(d),
      idempotent: IDEMPOTENT_METHODS.has(d.operation.method) && base.listed.annotations?.idempotentHint !== false,
      shaper: compileResponseShaper(d.outputSchema, d.pagination, maxResponseBytes),
      ...(d.output.wrapIn !== undefined ? { wrapIn: d.output.wrapIn } : {}),
      expectsJson: d.output.contentType !== undefined && JSON_MEDIA.test(d.output.contentType),
    };
    operations.set(d.name, tool);
    const selected =
      select === undefined ||
      select({ name: base.listed.name, tags: d.operation.tags, readOnly: SAFE_METHODS.has(d.operation.method) });
    if (!hidden && selected && (allowed === undefined || allowed.has(d.operation.method))) add(tool);
  }

  for (const t of overrides.extraTools ?? []) {
    const { base, hidden } = serveBase(
      t.name,
      t.title,
      t.description,
      t.inputSchema,
      t.outputSchema,
      t.annotations,
      overrides,
      toolOverrides[t.name],
      commonChecks,
    );
    const readOnly = base.listed.annotations?.readOnlyHint === true || t.session === true;
    const selected = select === undefined || select({ name: base.listed.name, tags: [], readOnly });
    if (!hidden && selected) add({ ...base, kind: 'hand', tool: t });
  }
  return { served, listed, operations };
}
