/**
 * One raw OpenAPI 3.x operation (§4.8.10 Operation Object) of the bundled document → {@link OperationInput}: the merged
 * parameter list (§4.8.9.1), the chosen request and response media types, texts, security (§4.8.30) and vendor
 * extensions (§4.9). Read straight from the document: no intermediate representation is built, which keeps a
 * 1,000-operation spec to one pass.
 */
import type { HttpMethod, ParameterBinding } from '../../contract/descriptor.js';
import { parseAnnotationsExtension } from '../descriptor/annotations.js';
import { idempotencyHeaderOf } from '../descriptor/parameters.js';

/** Operation extension naming the request header that carries an idempotency key (docs/tools.md). */
const IDEMPOTENCY_EXTENSION = 'x-finmcp-idempotency-header';
import { isJsonMediaType } from '../descriptor/body.js';
import type { OperationInput, ParameterInput, RequestBodyInput, ResponseInput } from '../descriptor/operation.js';
import { effectiveSecurity } from '../descriptor/security.js';
import { type JsonObject, isObject } from '../schema/json.js';
import { derefObject } from '../../contract/pointer.js';

/** Where one operation sits in the document. */
export interface OperationRef {
  method: HttpMethod;
  path: string;
}

/** HTTP methods of a Path Item Object (§4.8.9), in the order they are listed there. */
const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const LOCATIONS: ReadonlySet<string> = new Set(['path', 'query', 'header', 'cookie']);

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

function parameterInput(document: JsonObject, raw: JsonObject): ParameterInput {
  const location = raw['in'] as ParameterBinding['in'];
  const content = raw['content'];
  const contentType = chooseMediaType(content);
  const schema =
    raw['schema'] ??
    (contentType !== undefined && isObject(content) ? rawObject(document, content[contentType])['schema'] : undefined);
  const input: ParameterInput = { name: raw['name'] as string, in: location, required: raw['required'] === true };
  if (typeof raw['style'] === 'string') input.style = raw['style'] as ParameterBinding['style'];
  if (typeof raw['explode'] === 'boolean') input.explode = raw['explode'];
  if (raw['allowReserved'] === true) input.allowReserved = true;
  if (schema !== undefined) input.schema = schema;
  if (typeof raw['description'] === 'string') input.description = raw['description'];
  if (raw['deprecated'] === true) input.deprecated = true;
  const examples = parameterExamples(document, raw);
  if (examples !== undefined) input.examples = examples;
  return input;
}

function requestBodyInput(document: JsonObject, operation: JsonObject): RequestBodyInput | undefined {
  if (operation['requestBody'] === undefined) return undefined;
  const raw = rawObject(document, operation['requestBody']);
  const content = isObject(raw['content']) ? raw['content'] : {};
  const contentType = chooseMediaType(content);
  if (contentType === undefined) return undefined;
  const body: RequestBodyInput = { contentType, required: raw['required'] === true };
  const schema = rawObject(document, content[contentType])['schema'];
  if (schema !== undefined) body.schema = schema;
  if (typeof raw['description'] === 'string') body.description = raw['description'];
  const name = raw['x-codegen-request-body-name'] ?? operation['x-codegen-request-body-name'];
  if (typeof name === 'string' && name !== '') body.bodyName = name;
  return body;
}

function responseInputs(document: JsonObject, operation: JsonObject): ResponseInput[] {
  const responses = isObject(operation['responses']) ? operation['responses'] : {};
  return Object.entries(responses).map(([status, value]) => {
    const raw = rawObject(document, value);
    const response: ResponseInput = { status };
    if (typeof raw['description'] === 'string') response.description = raw['description'];
    const content = raw['content'];
    const contentType = chooseMediaType(content);
    if (contentType !== undefined && isObject(content)) {
      response.contentType = contentType;
      const schema = rawObject(document, content[contentType])['schema'];
      if (schema !== undefined) response.schema = schema;
    }
    return response;
  });
}

/** Every operation of the document, in spec order (paths as listed, methods in §4.8.9 order within a path). */
export function listOperations(document: JsonObject): OperationRef[] {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const out: OperationRef[] = [];
  for (const [path, value] of Object.entries(paths)) {
    const pathItem = rawObject(document, value);
    for (const method of METHODS) if (isObject(pathItem[method])) out.push({ method, path });
  }
  return out;
}

/** Builds the generator's view of one operation from the raw bundled document. */
export function operationInput(at: OperationRef, document: JsonObject): OperationInput {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const pathItem = rawObject(document, paths[at.path]);
  const raw = rawObject(document, pathItem[at.method]);
  const parameters = rawParameters(document, pathItem, raw)
    .filter((parameter) => LOCATIONS.has(parameter['in'] as string))
    .map((parameter) => parameterInput(document, parameter));
  const input: OperationInput = {
    method: at.method,
    path: at.path,
    deprecated: raw['deprecated'] === true,
    tags: Array.isArray(raw['tags']) ? raw['tags'].filter((tag): tag is string => typeof tag === 'string') : [],
    parameters,
    responses: responseInputs(document, raw),
    security: effectiveSecurity(raw['security'], document['security']),
  };
  if (typeof raw['operationId'] === 'string') input.operationId = raw['operationId'];
  if (typeof raw['summary'] === 'string' && raw['summary'] !== '') input.summary = raw['summary'];
  if (typeof raw['description'] === 'string' && raw['description'] !== '') input.description = raw['description'];
  const requestBody = requestBodyInput(document, raw);
  if (requestBody !== undefined) input.requestBody = requestBody;
  const annotations = parseAnnotationsExtension(raw['x-mcp-annotations']);
  if (annotations !== undefined) input.annotations = annotations;
  const idempotencyHeader = idempotencyHeaderOf(raw[IDEMPOTENCY_EXTENSION], parameters);
  if (idempotencyHeader !== undefined) input.idempotencyHeader = idempotencyHeader;
  return input;
}
