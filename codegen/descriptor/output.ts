/**
 * The tool `outputSchema` and {@link OutputBinding} (MCP 2025-11-25 "Tools": `structuredContent` is a JSON object
 * described by `outputSchema`, whose root must be `type: object`) from the first success response (OpenAPI 3.1
 * §4.8.16 Responses Object: 200, 201, 202, 203, 2XX, then other 2xx) with JSON content. Arrays and scalars are wrapped
 * (`items` / `result`), non-JSON content becomes `{ content: string }`, no content `{}`. Outputs stay open (no
 * `additionalProperties: false`): backends add fields, and clients must not reject them.
 */
import type { JsonSchema, OutputBinding } from '../../contract/descriptor.js';
import type { SchemaConverter } from '../schema/convert.js';
import { isObject, typeList } from '../schema/json.js';
import { isJsonMediaType } from './body.js';
import type { ResponseInput } from './operation.js';

/** Success statuses in the order they are preferred. */
const PREFERRED_STATUSES = ['200', '201', '202', '203', '2XX'] as const;

/** The success response the tool's output comes from, or undefined when the operation declares none. */
export function successResponse(responses: readonly ResponseInput[]): ResponseInput | undefined {
  for (const status of PREFERRED_STATUSES) {
    const found = responses.find((r) => r.status.toUpperCase() === status);
    if (found !== undefined) return found;
  }
  return responses.filter((r) => /^2\d\d$/.test(r.status)).sort((a, b) => a.status.localeCompare(b.status))[0];
}

/** Whether a converted schema describes a JSON object (nullable objects and unions of objects included). */
function isObjectSchema(schema: JsonSchema): boolean {
  const types = typeList(schema);
  if (types !== undefined) return types.includes('object') && types.every((t) => t === 'object' || t === 'null');
  if (isObject(schema['properties'])) return true;
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && branches.length > 0) {
      return branches.every((branch) => isObject(branch) && isObjectSchema(branch));
    }
  }
  return false;
}

/** The output schema and binding for an operation's responses. */
export function toolOutput(
  responses: readonly ResponseInput[],
  converter: SchemaConverter,
): { schema: JsonSchema; binding: OutputBinding } {
  const response = successResponse(responses);
  const status = response?.status ?? '2XX';
  if (response?.contentType === undefined) {
    return { schema: { type: 'object', properties: {} }, binding: { status } };
  }
  const contentType = response.contentType;
  if (!isJsonMediaType(contentType)) {
    const content: JsonSchema = { type: 'string', contentMediaType: contentType };
    return {
      schema: { type: 'object', properties: { content }, required: ['content'] },
      binding: { status, contentType, wrapIn: 'content' },
    };
  }
  const body = converter.convertObject(response.schema ?? {});
  if (isObjectSchema(body)) {
    // `structuredContent` is an object: a nullable or union root is narrowed to `type: object` for MCP clients.
    return { schema: converter.finish({ ...body, type: 'object' }), binding: { status, contentType } };
  }
  const wrapIn = typeList(body)?.includes('array') === true ? 'items' : 'result';
  return {
    schema: converter.finish({ type: 'object', properties: { [wrapIn]: body }, required: [wrapIn] }),
    binding: { status, contentType, wrapIn },
  };
}

/** Largest output schema (serialised bytes) written in full; a bigger one leaves its deepest references open. */
const OUTPUT_SCHEMA_BUDGET = 32 * 1024;
/** A response reaching more definitions than this is first tried at shallow depths (converting it whole is slow). */
const MANY_REFS = 40;
/** Deepest reference level tried before writing the schema without a limit. */
const MAX_TRIED_DEPTH = 6;

/**
 * {@link toolOutput} within {@link OUTPUT_SCHEMA_BUDGET}: a response whose schema reaches much of the API (an
 * account holding expandable charges holding customers…, 250 KB per tool in a payments API) is described to the
 * deepest level of references that fits; below the cut any value is accepted, so every real result still matches.
 * `converter(maxRefDepth)` makes a fresh converter (undefined: no limit).
 */
export function boundedToolOutput(
  responses: readonly ResponseInput[],
  converter: (maxRefDepth: number | undefined) => SchemaConverter,
): { schema: JsonSchema; binding: OutputBinding; maxRefDepth?: number } {
  const fits = (output: { schema: JsonSchema }): boolean =>
    JSON.stringify(output.schema).length <= OUTPUT_SCHEMA_BUDGET;
  const full = converter(undefined);
  if (full.reachableRefs(successResponse(responses)?.schema) <= MANY_REFS) {
    const whole = toolOutput(responses, full);
    if (fits(whole)) return whole;
  }
  // Deeper and deeper until the next level no longer fits (one level always: the root object itself).
  let best = { ...toolOutput(responses, converter(1)), maxRefDepth: 1 };
  for (let depth = 2; depth <= MAX_TRIED_DEPTH; depth += 1) {
    const next = toolOutput(responses, converter(depth));
    if (!fits(next)) return best;
    best = { ...next, maxRefDepth: depth };
  }
  const whole = toolOutput(responses, converter(undefined));
  return fits(whole) ? whole : best;
}
