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

/** Whether a parameter becomes a tool input. */
export function isToolParameter(parameter: Pick<ParameterInput, 'in' | 'name'>): boolean {
  return !(parameter.in === 'header' && IGNORED_HEADERS.has(parameter.name.toLowerCase()));
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
