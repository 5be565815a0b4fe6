/**
 * Turns a tool's validated arguments into an HTTP request, following the descriptor's bindings:
 * parameters per OpenAPI 3.1 §4.8.12.4 (Style Values: simple, label, matrix, form, spaceDelimited, pipeDelimited,
 * deepObject, with `explode` and `allowReserved`), percent-encoding per RFC 3986 §2.1, and the request body per
 * §4.8.13 (Request Body Object) / §4.8.15 (Encoding Object defaults for form bodies).
 *
 * Serialization itself is openapi-fetch's; this module only decides, once per tool at start-up, which serializer
 * each binding uses, so a call does no per-call planning.
 */
import {
  createQuerySerializer,
  serializeArrayParam,
  serializeObjectParam,
  serializePrimitiveParam,
} from 'openapi-fetch';
import type { BodyBinding, ParameterBinding, ToolDescriptor } from '../../contract/descriptor.js';

/** An HTTP request ready for {@link BackendHttp.send}: path filled, query serialized (no `?`). */
export interface BuiltRequest {
  /** Upper-case HTTP method. */
  method: string;
  path: string;
  query: string;
  /** A fresh object on every call: callers may add headers to it. */
  headers: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** A descriptor's request plan, compiled once; `build` is the per-call hot path. */
export interface RequestPlan {
  build(args: Record<string, unknown>): BuiltRequest;
}

/** Arguments that cannot be put into a request (e.g. a header value with a line break). Message is user-safe. */
export class RequestBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestBuildError';
  }
}

/** Serializes one parameter's value; returns '' to leave it out. */
type ParamSerializer = (name: string, value: unknown) => string;

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_MEDIA = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;
const PATH_TEMPLATE = /\{([^{}]+)\}/g;

/** Serializers shared by every binding with the same location, style, explode and allowReserved. */
const serializerCache = new Map<string, ParamSerializer>();

/** Form bodies: Encoding Object defaults (style form, explode true; objects as deepObject like openapi-fetch). */
const formBodySerializer = createQuerySerializer({
  array: { style: 'form', explode: true },
  object: { style: 'deepObject', explode: true },
});

function primitive(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function makeSerializer(location: ParameterBinding['in'], b: ParameterBinding): ParamSerializer {
  const { explode } = b;
  const allowReserved = b.allowReserved === true;
  switch (location) {
    case 'path': {
      const style = b.style === 'label' || b.style === 'matrix' ? b.style : 'simple';
      return (name, value) => {
        if (Array.isArray(value)) return serializeArrayParam(name, value, { style, explode });
        if (typeof value === 'object' && value !== null) {
          return serializeObjectParam(name, value as Record<string, unknown>, { style, explode });
        }
        const v = encodeURIComponent(primitive(value));
        return style === 'simple' ? v : style === 'label' ? `.${v}` : `;${name}=${v}`;
      };
    }
    case 'query': {
      const arrayStyle = b.style === 'spaceDelimited' || b.style === 'pipeDelimited' ? b.style : 'form';
      const objectStyle = b.style === 'deepObject' ? 'deepObject' : 'form';
      return (name, value) => {
        if (Array.isArray(value)) {
          return value.length === 0
            ? ''
            : serializeArrayParam(name, value, { style: arrayStyle, explode, allowReserved });
        }
        if (typeof value === 'object' && value !== null) {
          return serializeObjectParam(name, value as Record<string, unknown>, {
            style: objectStyle,
            explode,
            allowReserved,
          });
        }
        return serializePrimitiveParam(name, primitive(value), { allowReserved });
      };
    }
    case 'header':
      // Headers are simple style and are not percent-encoded (OpenAPI 3.1 §4.8.12.4): allowReserved keeps them raw.
      return (name, value) => {
        if (Array.isArray(value))
          return serializeArrayParam(name, value, { style: 'simple', explode: false, allowReserved: true });
        if (typeof value === 'object' && value !== null) {
          return serializeObjectParam(name, value as Record<string, unknown>, {
            style: 'simple',
            explode,
            allowReserved: true,
          });
        }
        return primitive(value);
      };
    case 'cookie':
      // Cookies are form style: `name=value`, arrays comma-joined.
      return (name, value) => {
        if (Array.isArray(value)) return serializeArrayParam(name, value, { style: 'form', explode: false });
        if (typeof value === 'object' && value !== null) {
          return serializeObjectParam(name, value as Record<string, unknown>, { style: 'form', explode: false });
        }
        return serializePrimitiveParam(name, primitive(value));
      };
  }
}

/** The cached serializer for a binding's location/style/explode/allowReserved. */
function serializerFor(b: ParameterBinding): ParamSerializer {
  const key = `${b.in}:${b.style}:${b.explode}:${b.allowReserved === true}`;
  let s = serializerCache.get(key);
  if (s === undefined) {
    s = makeSerializer(b.in, b);
    serializerCache.set(key, s);
  }
  return s;
}

/** Runs a serializer, turning openapi-fetch's errors (e.g. nested objects in a query) into a user-safe message. */
function serialize(s: ParamSerializer, b: ParameterBinding, value: unknown): string {
  try {
    return s(b.name, value);
  } catch {
    throw new RequestBuildError(`${b.property}: nested arrays or objects cannot be sent in the ${b.in}`);
  }
}

interface Slot {
  binding: ParameterBinding;
  serializer: ParamSerializer;
}

type BodyBuilder = (args: Record<string, unknown>) => string | undefined;

function compileBody(body: BodyBinding | undefined): BodyBuilder | undefined {
  if (body === undefined) return undefined;
  const json = JSON_MEDIA.test(body.contentType);
  if (body.kind === 'properties') {
    const fields = body.fields.map((f) => [f.property, f.name] as const);
    const encode = FORM_MEDIA.test(body.contentType)
      ? (o: Record<string, unknown>): string => formBodySerializer(o)
      : (o: Record<string, unknown>): string => JSON.stringify(o);
    return (args) => {
      const out: Record<string, unknown> = {};
      let any = false;
      for (const [property, name] of fields) {
        const v = args[property];
        if (v === undefined) continue;
        out[name] = v;
        any = true;
      }
      return any || body.required ? encode(out) : undefined;
    };
  }
  const { property, required } = body;
  return (args) => {
    const v = args[property];
    if (v === undefined) {
      if (required) throw new RequestBuildError(`${property}: is required`);
      return undefined;
    }
    if (json) return JSON.stringify(v);
    return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  };
}

/** A descriptor's parameter bindings sorted by where they go (path parameters by name, for the template). */
interface SortedParameters {
  pathByName: Map<string, ParameterBinding>;
  query: Slot[];
  headers: Slot[];
  cookies: Slot[];
}

function sortParameters(parameters: readonly ParameterBinding[]): SortedParameters {
  const sorted: SortedParameters = { pathByName: new Map(), query: [], headers: [], cookies: [] };
  for (const b of parameters) {
    const slot = { binding: b, serializer: serializerFor(b) };
    if (b.in === 'path') sorted.pathByName.set(b.name, b);
    else if (b.in === 'query') sorted.query.push(slot);
    else if (b.in === 'header') sorted.headers.push(slot);
    else sorted.cookies.push(slot);
  }
  return sorted;
}

/** A path template split once into literals and parameter slots: `literals[i] + slots[i]`…, then `tail`. */
interface PathTemplate {
  literals: string[];
  slots: Slot[];
  tail: string;
}

function compilePath(template: string, pathByName: ReadonlyMap<string, ParameterBinding>): PathTemplate {
  const literals: string[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const m of template.matchAll(PATH_TEMPLATE)) {
    const name = m[1] ?? '';
    const binding = pathByName.get(name) ?? {
      property: name,
      in: 'path' as const,
      name,
      style: 'simple' as const,
      explode: false,
    };
    literals.push(template.slice(last, m.index));
    slots.push({ binding, serializer: serializerFor(binding) });
    last = (m.index ?? 0) + m[0].length;
  }
  return { literals, slots, tail: template.slice(last) };
}

/** The filled path: every path parameter required and non-empty. */
function buildPath(template: PathTemplate, args: Record<string, unknown>): string {
  const { literals, slots } = template;
  let path = '';
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as Slot;
    const v = args[slot.binding.property];
    if (v === undefined || v === null) {
      throw new RequestBuildError(`${slot.binding.property}: is required`);
    }
    const s = serialize(slot.serializer, slot.binding, v);
    if (s === '') throw new RequestBuildError(`${slot.binding.property}: must not be empty`);
    path += literals[i] + s;
  }
  return path + template.tail;
}

/** The serialized parameters given, joined by `separator` (`&` for a query string, `; ` for a cookie header). */
function joinSlots(slots: readonly Slot[], args: Record<string, unknown>, separator: string): string {
  let joined = '';
  for (const slot of slots) {
    const v = args[slot.binding.property];
    if (v === undefined || v === null) continue;
    const s = serialize(slot.serializer, slot.binding, v);
    if (s !== '') joined = joined === '' ? s : `${joined}${separator}${s}`;
  }
  return joined;
}

/** The request headers: `accept`, header parameters (no line breaks) and the cookie header. */
function buildHeaders(
  accept: string | undefined,
  parameters: SortedParameters,
  args: Record<string, unknown>,
): Record<string, string> {
  const h: Record<string, string> = {};
  if (accept !== undefined) h['accept'] = accept;
  for (const slot of parameters.headers) {
    const v = args[slot.binding.property];
    if (v === undefined || v === null) continue;
    const s = serialize(slot.serializer, slot.binding, v);
    if (/[\r\n\0]/.test(s)) throw new RequestBuildError(`${slot.binding.property}: must not contain line breaks`);
    h[slot.binding.name.toLowerCase()] = s;
  }
  if (parameters.cookies.length > 0) {
    const c = joinSlots(parameters.cookies, args, '; ');
    if (c !== '') h['cookie'] = c;
  }
  return h;
}

/** Compiles a descriptor's bindings into a {@link RequestPlan}. Call once per tool, at start-up. */
export function compileRequestPlan(descriptor: ToolDescriptor): RequestPlan {
  const method = descriptor.operation.method.toUpperCase();
  const parameters = sortParameters(descriptor.parameters);
  const template = compilePath(descriptor.operation.path, parameters.pathByName);
  const bodyBuilder = compileBody(descriptor.body);
  const contentType = descriptor.body?.contentType;
  // Ask for the media type the output schema describes, still accepting anything else (e.g. problem+json errors).
  const accept =
    descriptor.output.contentType === undefined ? undefined : `${descriptor.output.contentType}, */*;q=0.1`;

  return {
    build(args: Record<string, unknown>): BuiltRequest {
      const path = buildPath(template, args);
      const query = joinSlots(parameters.query, args, '&');
      const headers = buildHeaders(accept, parameters, args);
      const out: BuiltRequest = { method, path, query, headers };
      if (bodyBuilder !== undefined) {
        const body = bodyBuilder(args);
        if (body !== undefined) {
          out.body = body;
          out.contentType = contentType as string;
          headers['content-type'] = contentType as string;
        }
      }
      return out;
    },
  };
}
