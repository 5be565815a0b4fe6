/**
 * One OpenAPI 3.1 operation (§4.8.10) → one MCP tool descriptor (MCP 2025-11-25 "Tools"), and a whole spec's
 * operations → the backend's tool list with unique names. Each rule lives in its own module of this folder; this one
 * only assembles them in the order the rules depend on each other.
 */
import type { BodyBinding, JsonSchema, ParameterBinding, ToolDescriptor } from '../../contract/descriptor.js';
import { type ConvertOptions, SchemaConverter } from '../schema/convert.js';
import { atPointer, operationPointer } from '../../contract/pointer.js';
import { isObject } from '../schema/json.js';
import { toolAnnotations } from './annotations.js';
import { DEFAULT_BODY_NAME, bodyKind, valueBodySchema } from './body.js';
import { bodyCountsFit, bodyRules } from './body-rules.js';
import { type InputPart, inputSchema, nameInputs } from './input.js';
import { baseToolName, uniqueToolNames } from './name.js';
import type { OperationInput, ParameterInput } from './operation.js';
import { boundedToolOutput, successResponse } from './output.js';
import { detectPagination } from './pagination.js';
import { isToolParameter, parameterBinding, parameterSchema } from './parameters.js';
import { toolDescription, toolTitle } from './text.js';

/** What an input part maps back to. */
type InputSource = { kind: 'parameter'; parameter: ParameterInput } | { kind: 'field' } | { kind: 'body' };

/** Input schema and bindings of an operation. */
function buildInput(
  operation: OperationInput,
  document: unknown,
  options: ConvertOptions,
): { schema: JsonSchema; parameters: ParameterBinding[]; body?: BodyBinding } {
  const converter = new SchemaConverter(document, 'input', options);
  const requestBody = operation.requestBody;
  const inputs = (p: ParameterInput): boolean => isToolParameter(p, operation.idempotencyHeader);
  // A definition reached from several inputs (or several times from one) is written once in the input's `$defs`.
  const raws = [...operation.parameters.filter(inputs).map((p) => p.schema ?? {}), requestBody?.schema ?? {}];
  converter.shareAcross(raws, requestBody?.schema);
  const parts: Array<InputPart<InputSource>> = operation.parameters.filter(inputs).map((parameter) => ({
    in: parameter.in,
    name: parameter.name,
    schema: parameterSchema(parameter, converter),
    // Path parameters are always required (§4.8.12.1), whatever the spec says.
    required: parameter.in === 'path' || parameter.required,
    source: { kind: 'parameter', parameter },
  }));

  let kind: BodyBinding['kind'] | undefined;
  /** The flattened body's schema, whose object-level rules move onto the input root. */
  let bodySchema: JsonSchema | undefined;
  const parameterCount = parts.length;
  if (requestBody !== undefined) {
    const schema = converter.convertObject(requestBody.schema ?? {});
    kind = bodyKind(requestBody.contentType, schema);
    if (kind === 'properties' && !bodyCountsFit(schema, parts.length === 0)) kind = 'value';
    if (kind === 'properties') {
      bodySchema = schema;
      const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
      for (const [name, field] of Object.entries(schema['properties'] as Record<string, unknown>)) {
        parts.push({
          in: 'body',
          name,
          schema: isObject(field) ? field : field === false ? { not: {} } : {},
          // A body field is required only when the body itself is.
          required: requestBody.required && required.has(name),
          source: { kind: 'field' },
        });
      }
    } else {
      parts.push({
        in: 'body',
        name: requestBody.bodyName ?? DEFAULT_BODY_NAME,
        schema: valueBodySchema(requestBody.contentType, schema, requestBody.description),
        required: requestBody.required,
        source: { kind: 'body' },
      });
    }
  }

  const named = nameInputs(parts);
  const parameters: ParameterBinding[] = [];
  const fields: Array<{ property: string; name: string }> = [];
  let valueProperty: string | undefined;
  for (const input of named) {
    if (input.source.kind === 'parameter') parameters.push(parameterBinding(input.source.parameter, input.property));
    else if (input.source.kind === 'field') fields.push({ property: input.property, name: input.name });
    else valueProperty = input.property;
  }
  const root = inputSchema(named);
  if (bodySchema !== undefined && requestBody !== undefined) {
    const rules = bodyRules(bodySchema, {
      properties: new Map(fields.map((field) => [field.name, field.property])),
      required: requestBody.required,
      wholeInput: parameterCount === 0,
    });
    if (rules !== undefined) Object.assign(root, rules);
  }
  const schema = converter.finish(root);
  if (requestBody === undefined || kind === undefined) return { schema, parameters };
  const common = { contentType: requestBody.contentType, required: requestBody.required };
  const body: BodyBinding =
    kind === 'properties'
      ? { kind, ...common, fields }
      : { kind, ...common, property: valueProperty ?? DEFAULT_BODY_NAME };
  return { schema, parameters, body };
}

/** Builds the descriptor of one operation under an already-chosen unique name. */
export function buildDescriptor(
  operation: OperationInput,
  name: string,
  document: unknown,
  options: ConvertOptions = {},
): ToolDescriptor {
  const title = toolTitle(operation.summary, name);
  const input = buildInput(operation, document, options);
  const output = boundedToolOutput(
    operation.responses,
    (maxRefDepth) =>
      new SchemaConverter(document, 'output', maxRefDepth === undefined ? options : { ...options, maxRefDepth }),
  );
  const descriptor: ToolDescriptor = {
    name,
    title,
    description: toolDescription({
      summary: operation.summary,
      description: operation.description,
      returns: successResponse(operation.responses)?.description,
      deprecated: operation.deprecated,
    }),
    inputSchema: input.schema,
    outputSchema: output.schema,
    annotations: toolAnnotations(operation.method, title, operation.annotations),
    operation: {
      method: operation.method,
      path: operation.path,
      deprecated: operation.deprecated,
      tags: [...operation.tags],
      security: operation.security,
    },
    parameters: input.parameters,
    output: output.binding,
  };
  if (operation.operationId !== undefined) {
    descriptor.operation = { operationId: operation.operationId, ...descriptor.operation };
  }
  if (operation.idempotencyHeader !== undefined) descriptor.operation.idempotencyHeader = operation.idempotencyHeader;
  if (input.body !== undefined) descriptor.body = input.body;
  const pagination = detectPagination(input.parameters, output.schema);
  if (pagination !== undefined) descriptor.pagination = pagination;
  return descriptor;
}

/**
 * Builds the descriptors of a spec's operations, in spec order, with unique tool names (see {@link ConvertOptions}).
 */
export function buildDescriptors(
  operations: readonly OperationInput[],
  document: unknown,
  options: ConvertOptions = {},
): ToolDescriptor[] {
  const names = uniqueToolNames(operations.map(baseToolName));
  return operations.map((operation, i) =>
    atPointer(operationPointer(operation.path, operation.method), () =>
      buildDescriptor(operation, names[i] as string, document, options),
    ),
  );
}
