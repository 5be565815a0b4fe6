/**
 * The generator's view of one OpenAPI 3.1 operation (§4.8.10 Operation Object), after parsing: what
 * parse/operation-input.ts reads straight from the loaded document, and what the descriptor modules consume. Keeping
 * this a plain data type lets every descriptor rule be table-tested without running the parser.
 */
import type { HttpMethod, ParameterBinding, ToolAnnotations } from '../../contract/descriptor.js';

/** One parameter (OpenAPI 3.1 §4.8.12), path-item and operation levels already merged. */
export interface ParameterInput {
  name: string;
  in: ParameterBinding['in'];
  required: boolean;
  /** Style and explode as the spec writes them; unset otherwise (parameters.ts fills the §4.8.12.4 defaults). */
  style?: ParameterBinding['style'];
  explode?: boolean;
  allowReserved?: boolean;
  /** The raw Schema Object (or the schema of the parameter's single `content` entry). */
  schema?: unknown;
  description?: string;
  deprecated?: boolean;
  /** `example`, or the values of `examples` (§4.8.12.1). */
  examples?: unknown[];
}

/** The request body (OpenAPI 3.1 §4.8.13), with the media type chosen. */
export interface RequestBodyInput {
  contentType: string;
  required: boolean;
  /** The raw Schema Object of that media type. */
  schema?: unknown;
  description?: string;
  /** The `x-codegen-request-body-name` vendor extension: the property name of a non-flattened body. */
  bodyName?: string;
}

/** One response (OpenAPI 3.1 §4.8.17), with the media type chosen. */
export interface ResponseInput {
  status: string;
  description?: string;
  contentType?: string;
  schema?: unknown;
}

/** Everything the descriptor rules need about one operation. */
export interface OperationInput {
  method: HttpMethod;
  path: string;
  operationId?: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  tags: string[];
  parameters: ParameterInput[];
  requestBody?: RequestBodyInput;
  /** Responses in spec order. */
  responses: ResponseInput[];
  /** Effective security requirements (operation-level, else global). */
  security: Array<Record<string, string[]>>;
  /** The `x-mcp-annotations` vendor extension, when present. */
  annotations?: Partial<ToolAnnotations>;
  /** The idempotency-key header (`x-finmcp-idempotency-header`, else an `Idempotency-Key` header parameter). */
  idempotencyHeader?: string;
}
