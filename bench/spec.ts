/**
 * Reading an OpenAPI 3.1 contract for the benchmark: the operations (method + path template), the first named
 * example of each success response, example values for parameters, and the spec's base path. The stub backend
 * answers from this, and the load generators build their tool arguments and backend paths from it, so every
 * server under test and the floor ask the backend for exactly the same thing.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { derefObject } from '../contract/pointer.js';

/** A parsed OpenAPI document (only the parts read here are typed). */
export type OpenApiDoc = Record<string, unknown>;

/** One parameter of an operation, with an example value to send. */
interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Record<string, unknown>;
  example: unknown;
}

/** One operation of the spec, as the stub serves it and the load generators call it. */
export interface SpecOperation {
  method: string;
  /** Path template as written in the spec, e.g. `/organizations/{organizationId}/invoices/{invoiceId}`. */
  path: string;
  operationId?: string;
  parameters: SpecParameter[];
  /** The success response the stub answers with. */
  success: { status: number; contentType?: string; example: unknown };
  requestBody?: { contentType: string; required: boolean; example: unknown };
  /** Effective security requirements (operation-level, else document-level). */
  security: Array<Record<string, string[]>>;
}

/** Parses a YAML or JSON OpenAPI file. */
export function loadSpecFile(file: string): OpenApiDoc {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (doc === null || typeof doc !== 'object') throw new Error(`${file}: not an OpenAPI document`);
  return doc as OpenApiDoc;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows local `$ref`s (`#/components/...`) until a non-reference node; undefined when one does not resolve. */
function deref(doc: OpenApiDoc, node: unknown): unknown {
  try {
    return derefObject(doc, node);
  } catch {
    return undefined;
  }
}

/** Resolves every local `$ref` inside a value (examples may nest references), with a depth guard for cycles. */
function derefDeep(doc: OpenApiDoc, node: unknown, depth = 0): unknown {
  if (depth > 64) return node;
  const resolved = deref(doc, node);
  if (Array.isArray(resolved)) return resolved.map((item) => derefDeep(doc, item, depth + 1));
  if (isRecord(resolved)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resolved)) out[key] = derefDeep(doc, value, depth + 1);
    return out;
  }
  return resolved;
}

/** The first named example of a media type (`examples`), else its `example`, else the schema's example. */
function mediaExample(doc: OpenApiDoc, media: Record<string, unknown>): unknown {
  const examples = deref(doc, media.examples);
  if (isRecord(examples)) {
    for (const entry of Object.values(examples)) {
      const example = deref(doc, entry);
      if (isRecord(example) && 'value' in example) return derefDeep(doc, example.value);
    }
  }
  if ('example' in media) return derefDeep(doc, media.example);
  return schemaExample(doc, media.schema, 0);
}

/** A value for a schema: its example, default, first enum value, or a plausible value by type and format. */
function schemaExample(doc: OpenApiDoc, schemaNode: unknown, depth: number): unknown {
  const schema = deref(doc, schemaNode);
  if (!isRecord(schema) || depth > 8) return undefined;
  if ('example' in schema) return derefDeep(doc, schema.example);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return derefDeep(doc, schema.examples[0]);
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      if (key === 'allOf') {
        const merged: Record<string, unknown> = {};
        for (const branch of branches) {
          const part = schemaExample(doc, branch, depth + 1);
          if (isRecord(part)) Object.assign(merged, part);
        }
        return merged;
      }
      return schemaExample(doc, branches[0], depth + 1);
    }
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : [];
      for (const name of required) {
        if (typeof name === 'string') out[name] = schemaExample(doc, properties[name], depth + 1);
      }
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'string':
      switch (schema.format) {
        case 'uuid':
          return '00000000-0000-4000-8000-000000000001';
        case 'date':
          return '2025-01-31';
        case 'date-time':
          return '2025-01-31T12:00:00Z';
        case 'email':
          return 'bench@example.com';
        default:
          return 'bench';
      }
    default:
      return undefined;
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of the spec, in document order. */
export function listOperations(doc: OpenApiDoc): SpecOperation[] {
  const operations: SpecOperation[] = [];
  const paths = isRecord(doc.paths) ? doc.paths : {};
  const docSecurity = Array.isArray(doc.security) ? (doc.security as Array<Record<string, string[]>>) : [];
  for (const [path, itemNode] of Object.entries(paths)) {
    const item = deref(doc, itemNode);
    if (!isRecord(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isRecord(op)) continue;
      const byKey = new Map<string, SpecParameter>();
      for (const node of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const param = deref(doc, node);
        if (!isRecord(param) || typeof param.name !== 'string' || typeof param.in !== 'string') continue;
        const schema = isRecord(deref(doc, param.schema)) ? (deref(doc, param.schema) as Record<string, unknown>) : {};
        let example: unknown = param.example;
        if (example === undefined && isRecord(param.examples)) {
          const first = deref(doc, Object.values(param.examples)[0]);
          if (isRecord(first)) example = first.value;
        }
        if (example === undefined) example = schemaExample(doc, schema, 0);
        byKey.set(`${param.in}:${param.name}`, {
          name: param.name,
          in: param.in as SpecParameter['in'],
          required: param.required === true || param.in === 'path',
          schema,
          example,
        });
      }
      const responses = isRecord(op.responses) ? op.responses : {};
      const successKey = Object.keys(responses)
        .filter((status) => /^2(\d\d|XX)$/i.test(status))
        .sort()[0];
      let success: SpecOperation['success'] = { status: 200, example: {} };
      if (successKey !== undefined) {
        const response = deref(doc, responses[successKey]);
        const status = /^\d+$/.test(successKey) ? Number(successKey) : 200;
        const content = isRecord(response) && isRecord(response.content) ? response.content : undefined;
        const contentType = content === undefined ? undefined : Object.keys(content)[0];
        const media = contentType === undefined || content === undefined ? undefined : deref(doc, content[contentType]);
        success = {
          status,
          ...(contentType === undefined ? {} : { contentType }),
          example: isRecord(media) ? mediaExample(doc, media) : undefined,
        };
      }
      let requestBody: SpecOperation['requestBody'];
      const body = deref(doc, op.requestBody);
      if (isRecord(body) && isRecord(body.content)) {
        const contentType = Object.keys(body.content)[0];
        const media = contentType === undefined ? undefined : deref(doc, body.content[contentType]);
        if (contentType !== undefined && isRecord(media)) {
          requestBody = { contentType, required: body.required === true, example: mediaExample(doc, media) };
        }
      }
      operations.push({
        method,
        path,
        ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
        parameters: [...byKey.values()],
        success,
        ...(requestBody === undefined ? {} : { requestBody }),
        security: Array.isArray(op.security) ? (op.security as Array<Record<string, string[]>>) : docSecurity,
      });
    }
  }
  return operations;
}

/** The path part of the spec's first server URL without a trailing slash (`/v1`), or '' for none. */
export function basePath(doc: OpenApiDoc): string {
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  const first = servers[0];
  if (!isRecord(first) || typeof first.url !== 'string') return '';
  let pathname: string;
  try {
    pathname = new URL(first.url.replace(/\{[^}]*\}/g, 'x'), 'http://localhost').pathname;
  } catch {
    return '';
  }
  return pathname === '/' ? '' : pathname.replace(/\/$/, '');
}

/** Security schemes of the spec, dereferenced. */
export function securitySchemes(doc: OpenApiDoc): Record<string, Record<string, unknown>> {
  const components = isRecord(doc.components) ? doc.components : {};
  const schemes = isRecord(components.securitySchemes) ? components.securitySchemes : {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, node] of Object.entries(schemes)) {
    const scheme = deref(doc, node);
    if (isRecord(scheme)) out[name] = scheme;
  }
  return out;
}

/**
 * A variant of an example string that keeps its shape: the trailing run of letters and digits is replaced by
 * `n` written in the same alphabet (hex for UUIDs, decimal for phone numbers), padded to the same width. Ids
 * built this way still satisfy the spec's format (a UUID stays a UUID), so every server accepts them, and
 * distinct `n` give distinct, fixed-width strings that never contain one another.
 */
export function variantOf(example: string, n: number): string {
  const match = /[A-Za-z0-9]+$/.exec(example);
  if (match === null) return `${example}${n}`;
  const run = match[0];
  const base = /^\d+$/.test(run) ? 10 : /^[0-9a-f]+$/.test(run) ? 16 : /^[0-9A-F]+$/.test(run) ? 16 : 36;
  let digits = n.toString(base);
  if (/^[0-9A-F]+$/.test(run) && !/^\d+$/.test(run)) digits = digits.toUpperCase();
  digits = digits.length >= run.length ? digits.slice(-run.length) : digits.padStart(run.length, '0');
  return example.slice(0, match.index) + digits;
}

/** Fills a path template with values, percent-encoding each one. */
export function fillPath(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(values[name] ?? '')));
}

/**
 * Session tags: how the stub checks that a stateful server calls the backend with the credentials of the
 * session that made the request. Each client session logs in with its own tag written into the last five
 * digits of the login's phone-like field, and asks for ids whose trailing 48 bits carry the same tag above
 * bit 32. The stub remembers each issued token's tag and, when they differ, answers with data for an id
 * nobody asked for — which the client then reports as a mismatch. Tag 0 means "no session" (static tokens).
 */
/** The login body field that carries the tag: the first string ending in at least five digits (a phone). */
function sessionTagField(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string' && /\d{5}$/.test(value)) return key;
  return undefined;
}

/** A login body with `tag` written into its tag field (unchanged when it has none). */
export function taggedLoginBody(body: Record<string, unknown>, tag: number): Record<string, unknown> {
  const field = sessionTagField(body);
  if (field === undefined) return body;
  const value = String(body[field]);
  return { ...body, [field]: `${value.slice(0, -5)}${String(tag % 100_000).padStart(5, '0')}` };
}

/** The tag a login body carries (0 when none). */
export function loginBodyTag(body: unknown): number {
  const field = sessionTagField(body);
  if (field === undefined) return 0;
  return Number(String((body as Record<string, unknown>)[field]).slice(-5));
}

/** Whether ids of this shape can carry a tag (at least 12 trailing hex digits, e.g. a UUID). */
export function canTagIds(example: string): boolean {
  return /[0-9a-fA-F]{12}$/.test(example);
}

/** The `n`-th id variant for a session tag (see {@link variantOf}); n must stay below 2^32. */
export function taggedVariant(example: string, tag: number, n: number): string {
  return variantOf(example, tag * 2 ** 32 + (n % 2 ** 32));
}

/** The session tag an id carries (0 when it cannot carry one). */
export function idTag(id: string): number {
  const match = /([0-9a-fA-F]{12})$/.exec(id);
  return match?.[1] === undefined ? 0 : Math.floor(parseInt(match[1], 16) / 2 ** 32);
}
