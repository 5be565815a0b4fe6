/**
 * Parameters (OpenAPI 3.1 §4.8.12 Parameter Object) → tool input properties and their {@link ParameterBinding}s.
 * Serialization defaults (§4.8.12.4): path and header `simple`, query and cookie `form`; `explode` defaults to true
 * for `form`, false otherwise. `Accept`, `Content-Type` and `Authorization` header parameters are ignored, as §4.8.12.1
 * says, because the runtime sets them itself.
 */
import type { JsonSchema, ParameterBinding } from '../../contract/descriptor.js';
import type { SchemaConverter } from '../schema/convert.js';
import type { ParameterInput } from './operation.js';

/** Header parameters the spec ignores and the runtime owns. */
const IGNORED_HEADERS: ReadonlySet<string> = new Set(['accept', 'content-type', 'authorization']);

/** The header parameter name that declares an idempotency key without any extension (draft-ietf-httpapi-idempotency-key-header). */
const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Whether a parameter becomes a tool input: not a header the runtime owns, nor the operation's idempotency key. */
export function isToolParameter(parameter: Pick<ParameterInput, 'in' | 'name'>, idempotencyHeader?: string): boolean {
  if (parameter.in !== 'header') return true;
  const name = parameter.name.toLowerCase();
  return !IGNORED_HEADERS.has(name) && name !== idempotencyHeader?.toLowerCase();
}

/**
 * The operation's idempotency-key header: the extension `x-finmcp-idempotency-header` (a header name) when given,
 * else an `Idempotency-Key` header parameter (by its spelling in the spec); undefined when it declares none.
 */
export function idempotencyHeaderOf(
  extension: unknown,
  parameters: ReadonlyArray<Pick<ParameterInput, 'in' | 'name'>>,
): string | undefined {
  if (typeof extension === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(extension)) return extension;
  return parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === IDEMPOTENCY_KEY_HEADER)?.name;
}

/** The default `style` for a location (§4.8.12.4). */
function defaultStyle(location: ParameterBinding['in']): ParameterBinding['style'] {
  return location === 'query' || location === 'cookie' ? 'form' : 'simple';
}

/** The binding for a parameter exposed as `property`, with style/explode defaults filled. */
export function parameterBinding(parameter: ParameterInput, property: string): ParameterBinding {
  const style = parameter.style ?? defaultStyle(parameter.in);
  const binding: ParameterBinding = {
    property,
    in: parameter.in,
    name: parameter.name,
    style,
    explode: parameter.explode ?? style === 'form',
  };
  if (parameter.allowReserved === true) binding.allowReserved = true;
  return binding;
}

/**
 * The property schema of a parameter: its converted schema, with the parameter's own description, examples and
 * deprecation carried over (the model sees them where it fills the value).
 */
export function parameterSchema(parameter: ParameterInput, converter: SchemaConverter): JsonSchema {
  const schema = { ...converter.convertObject(parameter.schema ?? {}) };
  if (parameter.description !== undefined && parameter.description.trim() !== '') {
    schema['description'] = parameter.description.trim();
  }
  if (parameter.examples !== undefined && parameter.examples.length > 0) schema['examples'] = parameter.examples;
  if (parameter.deprecated === true) schema['deprecated'] = true;
  return schema;
}
