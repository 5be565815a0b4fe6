/**
 * Runs a precompiled (ajv standalone) input validator and formats its errors for the model: one line per bad
 * field, naming the field and the JSON Schema 2020-12 rule it broke (JSON Schema Validation §6), e.g.
 * `status: must be one of draft, sent (got "foo")`. MCP 2025-11-25 "Tools → Error Handling": input errors are tool
 * results with `isError`, worded so the model can correct the call.
 *
 * Values are echoed only briefly (80 characters at most) and never for secret-looking fields.
 *
 * Hand-written tools carry no precompiled validator: their `inputSchema` is compiled here on the tool's first call
 * (ajv 8, JSON Schema 2020-12, the options codegen compiles generated validators with) and cached, so that they
 * are held to the same rules and the same wording. ajv itself is loaded only then: it costs start-up time.
 */
import type { JsonSchema, PrecompiledValidator } from '../../contract/descriptor.js';

/** One ajv error, as precompiled validators report them. */
type ValidationIssue = NonNullable<PrecompiledValidator['errors']>[number];

/** Longest echo of a bad value. */
const MAX_ECHO = 80;
/** Fields whose values are never echoed back. */
const SECRET_NAME =
  /pass(?:word|phrase)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key|pin$|cvv|otp/i;

/**
 * Validates `args`; returns undefined when they conform, else one message per problem.
 * The validator must have been compiled with `allErrors: true` for every bad field to be listed.
 */
export function validateArgs(validator: PrecompiledValidator, args: unknown): string[] | undefined {
  if (validator(args)) return undefined;
  const errors = validator.errors;
  if (errors === null || errors === undefined || errors.length === 0) return ['(root): arguments are invalid'];
  return formatValidationErrors(errors, args);
}

/** Validators compiled at run time, by schema object. */
const compiled = new WeakMap<JsonSchema, PrecompiledValidator>();
/** One ajv instance, loaded on first use. */
let runtimeAjv: Promise<(schema: JsonSchema) => PrecompiledValidator> | undefined;

/** The validator of `schema` when {@link compileSchema} has compiled it already: a call costs no await then. */
export function compiledSchema(schema: JsonSchema): PrecompiledValidator | undefined {
  return compiled.get(schema);
}

/** Validators compiled at build time (ajv standalone), by the schema's JSON text: see {@link usePrecompiledValidators}. */
const precompiled = new Map<string, PrecompiledValidator>();

/**
 * Adds validators compiled at build time for schemas {@link compileSchema} would otherwise compile: where code may
 * not be compiled at run time (Cloudflare Workers allow no `eval` or `new Function`, which ajv's compiler uses).
 */
export function usePrecompiledValidators(validators: Iterable<readonly [JsonSchema, PrecompiledValidator]>): void {
  for (const [schema, validator] of validators) precompiled.set(JSON.stringify(schema), validator);
}

/** Compilations under way, by schema object: calls that arrive together share one compilation. */
const compiling = new WeakMap<JsonSchema, Promise<PrecompiledValidator>>();

/**
 * Compiles `schema` (once: the validator is cached for the schema object, and the first calls of a burst, which all
 * find no validator yet, wait for the same compilation). Rejects on a schema ajv refuses.
 */
export function compileSchema(schema: JsonSchema): Promise<PrecompiledValidator> {
  const hit = compiled.get(schema);
  if (hit !== undefined) return Promise.resolve(hit);
  let pending = compiling.get(schema);
  if (pending === undefined) {
    pending = compileOnce(schema).finally(() => compiling.delete(schema));
    compiling.set(schema, pending);
  }
  return pending;
}

async function compileOnce(schema: JsonSchema): Promise<PrecompiledValidator> {
  const built = precompiled.size === 0 ? undefined : precompiled.get(JSON.stringify(schema));
  const validator = built ?? (await compileAtRunTime(schema));
  compiled.set(schema, validator);
  return validator;
}

async function compileAtRunTime(schema: JsonSchema): Promise<PrecompiledValidator> {
  const compile = await (runtimeAjv ??= loadAjv());
  try {
    return compile(schema);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    throw new Error(
      "this runtime compiles no code (no eval), and a hand-written schema has no precompiled validator: list it in its backend plugin's `schemas`",
    );
  }
}

/** An ajv 2020 compiler with the options of codegen's generated validators (contract/ajv-options.ts). */
async function loadAjv(): Promise<(schema: JsonSchema) => PrecompiledValidator> {
  const { createValidatorAjv } = await import('../../contract/ajv-options.js');
  // Our own schemas: no meta-schema check (it costs start-up time; strict mode still refuses unknown keywords).
  const ajv = createValidatorAjv({ validateSchema: false });
  return (schema) => ajv.compile(schema) as PrecompiledValidator;
}

/** Formats ajv errors: `<field>: <rule> (got <value>)`, deduplicated, in ajv's order. */
function formatValidationErrors(errors: readonly ValidationIssue[], data: unknown): string[] {
  // anyOf/oneOf report each failed branch too; fold those into the one combinator message.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`))) continue;
    const line = formatOne(e, data, errors);
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

function formatOne(e: ValidationIssue, data: unknown, all: readonly ValidationIssue[]): string {
  const segments = pointerSegments(e.instancePath);
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `${fieldName([...segments, String(p['missingProperty'])])}: is required`;
    case 'additionalProperties':
      return `${fieldName(segments)}: unknown property ${JSON.stringify(String(p['additionalProperty']))} is not allowed`;
    case 'unevaluatedProperties':
      return `${fieldName(segments)}: unknown property ${JSON.stringify(String(p['unevaluatedProperty']))} is not allowed`;
    case 'dependentRequired':
    case 'dependencies':
      return `${fieldName([...segments, String(p['missingProperty'])])}: is required when ${String(p['property'])} is set`;
    default:
      break;
  }
  const got = echo(segments, data);
  return `${fieldName(segments)}: ${rule(e, all)}${got}`;
}

/** The rule an error broke, in words. */
function rule(e: ValidationIssue, all: readonly ValidationIssue[]): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return `must be ${typeWords(p['type'])}`;
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map(valueWords).join(', ')}`;
    case 'const':
      return `must be ${valueWords(p['allowedValue'])}`;
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    case 'multipleOf':
      return `must be a multiple of ${String(p['multipleOf'])}`;
    case 'maxLength':
      return `must have at most ${String(p['limit'])} characters`;
    case 'minLength':
      return `must have at least ${String(p['limit'])} characters`;
    case 'maxItems':
      return `must have at most ${String(p['limit'])} items`;
    case 'minItems':
      return `must have at least ${String(p['limit'])} items`;
    case 'uniqueItems':
      return `must not contain duplicates (items ${String(p['j'])} and ${String(p['i'])} are equal)`;
    case 'maxProperties':
      return `must have at most ${String(p['limit'])} properties`;
    case 'minProperties':
      return `must have at least ${String(p['limit'])} properties`;
    case 'pattern':
      return `must match pattern ${JSON.stringify(String(p['pattern']))}`;
    case 'format':
      return `must be a valid ${String(p['format'])}`;
    case 'propertyNames':
      return `has an invalid property name ${JSON.stringify(String(p['propertyName']))}`;
    case 'anyOf':
    case 'oneOf':
      if (e.keyword === 'oneOf' && Array.isArray(p['passingSchemas']))
        return 'must match exactly one allowed shape, not several';
      return presenceWords(e, all) ?? branchRules(e, all);
    case 'not':
      return 'must not match the excluded shape';
    case 'if':
      return `must match the "${String(p['failingKeyword'])}" schema`;
    case 'contains':
      return 'must contain a matching item';
    case 'false schema':
      return 'is not allowed';
    default:
      return e.message ?? `breaks rule ${e.keyword}`;
  }
}

/**
 * The rule of a failed anyOf/oneOf, from what each branch broke on the value itself: "must be string or integer"
 * when every branch wanted another type, else each branch's rules ("must be a valid uuid or must match pattern …").
 * Branches that failed only deeper inside the value (an object's fields) leave the generic wording.
 */
function branchRules(e: ValidationIssue, all: readonly ValidationIssue[]): string {
  const prefix = `${e.schemaPath}/`;
  const byBranch = new Map<string, ValidationIssue[]>();
  for (const b of all) {
    if (b.instancePath !== e.instancePath || !b.schemaPath.startsWith(prefix)) continue;
    const branch = b.schemaPath.slice(prefix.length).split('/')[0]!;
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), b]);
  }
  const branches = [...byBranch.values()];
  // A branch behind a `$ref` ajv did not inline reports outside this schema path: naming only the other branches
  // would mislead, so a gap in the branch numbers keeps the generic wording.
  const contiguous = [...byBranch.keys()].every((k, i) => k === String(i));
  if (branches.length === 0 || !contiguous) return 'must match one of the allowed shapes';
  if (branches.every((issues) => issues.some((b) => b.keyword === 'type'))) {
    const types = branches.flatMap((issues) =>
      issues.filter((b) => b.keyword === 'type').map((b) => typeWords(b.params['type'])),
    );
    return `must be ${[...new Set(types)].join(' or ')}`;
  }
  const words = branches.map((issues) => [...new Set(issues.map((b) => rule(b, all)))].join(' and '));
  return [...new Set(words)].join(', or ');
}

/**
 * When every branch of a failed `anyOf`/`oneOf` only missed properties (a "give at least one of these" rule, e.g. a
 * request body's `minProperties: 1`), the properties to give: `must include at least one of name, phone`.
 */
function presenceWords(e: ValidationIssue, all: readonly ValidationIssue[]): string | undefined {
  const prefix = `${e.schemaPath}/`;
  const branches = all.filter((b) => b.instancePath === e.instancePath && b.schemaPath.startsWith(prefix));
  if (branches.length === 0 || branches.some((b) => b.keyword !== 'required')) return undefined;
  const missing = new Map<string, string[]>();
  for (const b of branches) {
    const branch = b.schemaPath.slice(prefix.length).split('/')[0] as string;
    missing.set(branch, [...(missing.get(branch) ?? []), String(b.params['missingProperty'])]);
  }
  const options = [...missing.values()].map((names) => names.join(' and '));
  return `must include at least one of ${options.join(', ')} (${e.keyword})`;
}

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map(String).join(' or ');
}

function valueWords(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/** Decodes a JSON Pointer (RFC 6901) into its segments. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `lines[0].amount`; `(root)` for the arguments object itself. */
function fieldName(segments: readonly string[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** ` (got …)` for the value at `segments`, or '' when it is absent or secret. */
function echo(segments: readonly string[], data: unknown): string {
  if (segments.some((s) => SECRET_NAME.test(s))) return '';
  let v: unknown = data;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<string, unknown>)[s];
  }
  if (v === undefined) return '';
  return ` (got ${describeValue(v)})`;
}

/** Whether a field's name suggests a secret, whose value must never be echoed. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A short rendering of a value for error messages: strings quoted and cut at 80 characters, containers summarized. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') {
    if (v.length <= MAX_ECHO) return JSON.stringify(v);
    let cut = v.slice(0, MAX_ECHO);
    // Do not split a surrogate pair.
    const last = cut.charCodeAt(cut.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
    return `${JSON.stringify(cut)}… (${v.length} characters)`;
  }
  if (Array.isArray(v)) return `an array of ${v.length} items`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  const s = String(v);
  return s.length <= MAX_ECHO ? s : `${s.slice(0, MAX_ECHO)}…`;
}
