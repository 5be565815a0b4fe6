/**
 * hey-api IR operation + the raw bundled spec → {@link OperationInput}.
 *
 * The IR (hey-api 0.95) gives the operation list, ids, texts, the merged parameter list with style/explode defaults
 * (OpenAPI 3.1 §4.8.12.4), the chosen request media type and the response statuses. It drops what tools need
 * verbatim — the original JSON Schemas, parameter descriptions/examples, security requirement names and scopes
 * (§4.8.30), vendor extensions (§4.9) — so those are read from the raw operation at the IR's method + path.
 */
import type { IR } from '@hey-api/openapi-ts';
import type { HttpMethod, ParameterBinding } from '../../src/descriptor.js';
import { parseAnnotationsExtension } from '../descriptor/annotations.js';
import { isJsonMediaType } from '../descriptor/body.js';
import type { OperationInput, ParameterInput, RequestBodyInput, ResponseInput } from '../descriptor/operation.js';
import { effectiveSecurity } from '../descriptor/security.js';
import { type JsonObject, isObject } from '../schema/json.js';
import { derefObject } from '../schema/pointer.js';

/** The parts of a hey-api operation walk event this adapter reads. */
export interface OperationEvent {
  method: string;
  path: string;
  operation: IR.OperationObject;
}

const LOCATIONS: ReadonlyArray<ParameterBinding['in']> = ['path', 'query', 'header', 'cookie'];

/** An object from the raw spec, following Reference Objects; `{}` when absent. */
function rawObject(document: JsonObject, value: unknown): JsonObject {
  const target = derefObject(document, value);
  return isObject(target) ? target : {};
}

/** Path-item and operation parameters merged (§4.8.9.1: the operation's override by name + location). */
function rawParameters(document: JsonObject, pathItem: JsonObject, operation: JsonObject): JsonObject[] {
  const merged = new Map<string, JsonObject>();
  for (const list of [pathItem['parameters'], operation['parameters']]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const parameter = rawObject(document, item);
      if (typeof parameter['name'] === 'string' && typeof parameter['in'] === 'string') {
        merged.set(`${parameter['in']}:${parameter['name']}`, parameter);
      }
    }
  }
  return [...merged.values()];
}

/** The media type to use from a `content` map: JSON first (§4.8.14), else the first listed. */
export function chooseMediaType(content: unknown): string | undefined {
  if (!isObject(content)) return undefined;
  const types = Object.keys(content);
  return types.find((t) => t.toLowerCase() === 'application/json') ?? types.find(isJsonMediaType) ?? types[0];
}

/** `example`, else the values of the `examples` map (§4.8.12.1, §4.8.19 Example Object). */
function parameterExamples(document: JsonObject, parameter: JsonObject): unknown[] | undefined {
  if ('example' in parameter) return [parameter['example']];
  if (!isObject(parameter['examples'])) return undefined;
  const values = Object.values(parameter['examples'])
    .map((example) => rawObject(document, example))
    .filter((example) => 'value' in example)
    .map((example) => example['value']);
  return values.length > 0 ? values : undefined;
}

function parameterInput(document: JsonObject, raw: JsonObject, ir: IR.ParameterObject | undefined): ParameterInput {
  const location = raw['in'] as ParameterBinding['in'];
  const content = raw['content'];
  const contentType = chooseMediaType(content);
  const schema =
    raw['schema'] ??
    (contentType !== undefined && isObject(content) ? rawObject(document, content[contentType])['schema'] : undefined);
  const input: ParameterInput = {
    name: raw['name'] as string,
    in: location,
    required: ir?.required ?? raw['required'] === true,
  };
  if (ir !== undefined) {
    input.style = ir.style;
    input.explode = ir.explode;
    if (ir.allowReserved === true) input.allowReserved = true;
  } else {
    if (typeof raw['style'] === 'string') input.style = raw['style'] as ParameterBinding['style'];
    if (typeof raw['explode'] === 'boolean') input.explode = raw['explode'];
    if (raw['allowReserved'] === true) input.allowReserved = true;
  }
  if (schema !== undefined) input.schema = schema;
  if (typeof raw['description'] === 'string') input.description = raw['description'];
  if (raw['deprecated'] === true) input.deprecated = true;
  const examples = parameterExamples(document, raw);
  if (examples !== undefined) input.examples = examples;
  return input;
}

function requestBodyInput(
  document: JsonObject,
  operation: JsonObject,
  ir: IR.BodyObject | undefined,
): RequestBodyInput | undefined {
  if (operation['requestBody'] === undefined) return undefined;
  const raw = rawObject(document, operation['requestBody']);
  const content = isObject(raw['content']) ? raw['content'] : {};
  const contentType = ir?.mediaType !== undefined && ir.mediaType in content ? ir.mediaType : chooseMediaType(content);
  if (contentType === undefined) return undefined;
  const body: RequestBodyInput = { contentType, required: ir?.required ?? raw['required'] === true };
  const schema = rawObject(document, content[contentType])['schema'];
  if (schema !== undefined) body.schema = schema;
  if (typeof raw['description'] === 'string') body.description = raw['description'];
  const name = raw['x-codegen-request-body-name'] ?? operation['x-codegen-request-body-name'];
  if (typeof name === 'string' && name !== '') body.bodyName = name;
  return body;
}

function responseInputs(document: JsonObject, operation: JsonObject, ir: IR.OperationObject): ResponseInput[] {
  const responses = isObject(operation['responses']) ? operation['responses'] : {};
  const irResponses = (ir.responses ?? {}) as Record<string, { mediaType?: string } | undefined>;
  return Object.entries(responses).map(([status, value]) => {
    const raw = rawObject(document, value);
    const response: ResponseInput = { status };
    if (typeof raw['description'] === 'string') response.description = raw['description'];
    const content = raw['content'];
    const irType = irResponses[status]?.mediaType;
    const contentType = irType !== undefined && isObject(content) && irType in content ? irType : chooseMediaType(content);
    if (contentType !== undefined && isObject(content)) {
      response.contentType = contentType;
      const schema = rawObject(document, content[contentType])['schema'];
      if (schema !== undefined) response.schema = schema;
    }
    return response;
  });
}

/** Builds the generator's view of one operation from a hey-api walk event and the raw bundled spec. */
export function operationInput(event: OperationEvent, document: JsonObject): OperationInput {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const pathItem = rawObject(document, paths[event.path]);
  const raw = rawObject(document, pathItem[event.method]);
  const ir = event.operation;
  const irParameters = LOCATIONS.flatMap((location) => Object.values(ir.parameters?.[location] ?? {}));
  const parameters = rawParameters(document, pathItem, raw).map((parameter) =>
    parameterInput(
      document,
      parameter,
      irParameters.find((p) => p.location === parameter['in'] && p.name === parameter['name']),
    ),
  );
  const input: OperationInput = {
    method: event.method as HttpMethod,
    path: event.path,
    deprecated: ir.deprecated === true,
    tags: [...(ir.tags ?? [])],
    parameters,
    responses: responseInputs(document, raw, ir),
    security: effectiveSecurity(raw['security'], document['security']),
  };
  if (typeof raw['operationId'] === 'string') input.operationId = raw['operationId'];
  if (ir.summary !== undefined) input.summary = ir.summary;
  if (ir.description !== undefined) input.description = ir.description;
  const requestBody = requestBodyInput(document, raw, ir.body);
  if (requestBody !== undefined) input.requestBody = requestBody;
  const annotations = parseAnnotationsExtension(raw['x-mcp-annotations']);
  if (annotations !== undefined) input.annotations = annotations;
  return input;
}

/** Sort key of an operation in the raw spec: path position, then method position within its path item. */
export function specOrder(document: JsonObject, event: Pick<OperationEvent, 'method' | 'path'>): [number, number] {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const pathIndex = Object.keys(paths).indexOf(event.path);
  const methodIndex = Object.keys(rawObject(document, paths[event.path])).indexOf(event.method);
  return [pathIndex, methodIndex];
}
