/**
 * One JSON Schema validator provider shared by every SDK `Server` in the process.
 *
 * The SDK only uses it to check elicitation answers (MCP 2025-11-25, Client / Elicitation), which we never
 * request; left out, each `Server` would build its own Ajv instance at construction (measured: half the
 * throughput). The Ajv instance is created on first use only.
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/** Lazily creates one Ajv-backed provider and delegates to it. */
class LazySharedValidator implements jsonSchemaValidator {
  #inner: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.#inner ??= new AjvJsonSchemaValidator();
    return this.#inner.getValidator<T>(schema);
  }
}

/** The process-wide validator provider to pass as `jsonSchemaValidator` in SDK `Server` options. */
export const sharedJsonSchemaValidator: jsonSchemaValidator = new LazySharedValidator();
