/**
 * The contract between `codegen/` (which writes `generated/<backend>/*.gen.*`) and the runtime in `src/`: its own
 * home, imported by both, so that neither imports the other.
 *
 * A {@link ToolDescriptor} is everything the runtime needs to serve one OpenAPI operation as one MCP tool
 * (MCP 2025-11-25, "Tools"): what `tools/list` shows, and the {@link Binding}s that say where each input
 * property goes in the HTTP request (OpenAPI 3.1 §4.8.12 Parameter Object, §4.8.13 Request Body Object).
 * Generic: nothing here knows any particular backend.
 */

/** A JSON Schema 2020-12 document, as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** HTTP methods an OpenAPI Path Item can hold (OpenAPI 3.1 §4.8.9). */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

/** MCP tool annotations (MCP 2025-11-25, "Tool annotations"). Hints, never security controls. */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * A tool as `tools/list` shows it (MCP 2025-11-25 `Tool`, the fields finmcp serves). The one statement of a tool's
 * shape: a {@link ToolDescriptor} is a listed tool with every field set plus its HTTP bindings, and the runtime's
 * hand-written tools (`HandWrittenTool`, src/core/backend-overrides.ts) are one with a handler.
 */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: ToolAnnotations;
}

/** Where one input property of the tool goes in the HTTP request. */
export interface ParameterBinding {
  /** Property name in the tool's `inputSchema`. */
  property: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  /** The parameter's name in the spec (differs from `property` when a name clash was resolved). */
  name: string;
  /** Serialization style (OpenAPI 3.1 §4.8.12.4), with the spec's default filled in. */
  style: 'simple' | 'label' | 'matrix' | 'form' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject';
  explode: boolean;
  allowReserved?: boolean;
}

/**
 * How the request body is assembled.
 * - `properties`: the body is a JSON object; its fields are input properties (listed, with renames).
 * - `value`: the whole body is the single input property `property` (non-object JSON, XML, text, binary-as-string).
 */
export type BodyBinding =
  | {
      kind: 'properties';
      contentType: string;
      required: boolean;
      /** Input property → body field. */
      fields: Array<{ property: string; name: string }>;
    }
  | {
      kind: 'value';
      contentType: string;
      required: boolean;
      property: string;
    };

/** How the success response becomes `structuredContent`. */
export interface OutputBinding {
  /** HTTP status of the success response the schema was taken from (e.g. "200", "201", "2XX"). */
  status: string;
  /** Media type of that response; undefined when it has no content (e.g. 204). */
  contentType?: string;
  /**
   * When the response body is not a JSON object (an array, a scalar, text, binary, or no body),
   * it is placed under this property so that `structuredContent` is always an object.
   */
  wrapIn?: string;
}

/** Pagination the tool supports, so large lists can be paged and cut responses resumed. */
export interface PaginationBinding {
  style: 'cursor' | 'page';
  /** Input property carrying the cursor or page number. */
  inputProperty: string;
  /** Input property carrying the page size, when there is one. */
  sizeProperty?: string;
  /** Dotted path in the response to the next cursor (cursor style), when the backend returns one. */
  nextCursorField?: string;
}

/**
 * Everything about one MCP tool generated from one OpenAPI operation: its listing with every field set (`name`:
 * ≤ 64 chars, `[A-Za-z0-9_-]`, unique within the backend) and where its input goes in the HTTP request.
 */
export interface ToolDescriptor extends Required<ListedTool> {
  operation: {
    /** The spec's operationId, or undefined when the operation has none. */
    operationId?: string;
    method: HttpMethod;
    /** Path template as in the spec, e.g. `/organizations/{organizationId}/invoices`. */
    path: string;
    deprecated: boolean;
    tags: string[];
    /** Security requirements (OpenAPI 3.1 §4.8.30); an empty array means explicitly public. */
    security: Array<Record<string, string[]>>;
    /**
     * The request header carrying an idempotency key, when the spec declares one (an `Idempotency-Key` header
     * parameter, or the operation extension `x-finmcp-idempotency-header: <name>`): not a tool input; the runtime
     * fills it with the call's confirmation nonce (else a fresh one), so the backend can deduplicate a write.
     */
    idempotencyHeader?: string;
  };
  parameters: ParameterBinding[];
  body?: BodyBinding;
  output: OutputBinding;
  pagination?: PaginationBinding;
}

/** A precompiled (ajv standalone) validator function, as emitted by codegen. */
export interface PrecompiledValidator {
  (data: unknown): boolean;
  errors?: Array<{
    instancePath: string;
    schemaPath: string;
    keyword: string;
    params: Record<string, unknown>;
    message?: string;
  }> | null;
}

/** What `generated/<backend>/index.gen.js` exports: one backend, generated from one spec. */
export interface GeneratedBackend {
  /** Backend name: the spec's file name without extension (e.g. `specs/acme.yaml` → `acme`). */
  name: string;
  /** `info.title` of the spec. */
  title: string;
  /** `info.version` of the spec. */
  version: string;
  /** Spec file, relative to the project root. */
  specFile: string;
  /** `servers[].url` of the spec. */
  servers: string[];
  /** Security schemes of the spec (OpenAPI 3.1 §4.8.27), as written. */
  securitySchemes: Record<string, JsonSchema>;
  tools: ToolDescriptor[];
  /** Prompts declared by the spec's `x-finmcp-prompts` (absent when it declares none). */
  prompts?: PromptDescriptor[];
  /** Precompiled input validator per tool name. */
  validators: Record<string, PrecompiledValidator>;
}

/** One argument of a {@link PromptDescriptor} (MCP 2025-11-25, Server / Prompts, `PromptArgument`). */
export interface PromptArgumentDescriptor {
  name: string;
  description: string;
  required: boolean;
  /** The only values accepted, when the argument is closed; offered by `completion/complete`. */
  enum?: string[];
  /** Typical values, offered by `completion/complete` (the argument still takes any text). */
  examples?: string[];
  /** Used for an optional argument the client leaves out. */
  default?: string;
}

/** What a tool or prompt is called and says of itself, as `tools/list` and `prompts/list` show it. */
export interface DescribedEntry {
  name: string;
  title: string;
  description: string;
}

/** The {@link DescribedEntry} members of a descriptor, copied (a listing must not hold the descriptor itself). */
export function describedEntry(d: DescribedEntry): DescribedEntry {
  return { name: d.name, title: d.title, description: d.description };
}

/**
 * A prompt declared in a spec (`x-finmcp-prompts`): a user message whose `{argument}` placeholders are filled from
 * the prompt's arguments. `tools` are the tools that answer it: the prompt is served only while all of them are.
 */
export interface PromptDescriptor {
  name: string;
  title: string;
  description: string;
  /** The user message, with `{name}` placeholders for the arguments. */
  text: string;
  arguments: PromptArgumentDescriptor[];
  tools: string[];
}
