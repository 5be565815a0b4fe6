/**
 * Parsing one OpenAPI 3.x document: load (and bundle) it, list its operations, build one tool descriptor per
 * operation. A failure names where in the document it happened, as a JSON pointer (RFC 6901), e.g.
 * `#/paths/~1pets/get: unresolvable reference "#/components/schemas/Pet"`.
 */
import type { ToolDescriptor } from '../../contract/descriptor.js';
import { buildDescriptors } from '../descriptor/build.js';
import type { OperationInput } from '../descriptor/operation.js';
import type { JsonObject } from '../schema/json.js';
import { atPointer, operationPointer } from '../../contract/pointer.js';
import { loadDocument } from './load.js';
import { listOperations, operationInput } from './operation-input.js';

/** The spec-root extension that keeps descriptions in output schemas (off by default: docs/tools.md). */
const OUTPUT_DESCRIPTIONS_EXTENSION = 'x-finmcp-output-descriptions';

/** What parsing a spec yields. */
export interface ParsedSpec {
  /** The bundled document (all references local). */
  document: JsonObject;
  /** Operations in spec order. */
  operations: OperationInput[];
  /** One descriptor per operation, same order. */
  descriptors: ToolDescriptor[];
  /** Schema keywords dropped because neither JSON Schema 2020-12 nor OpenAPI defines them, sorted. */
  ignoredKeywords: string[];
  /** Set when the file was Swagger 2.0: the converter that made it OpenAPI 3.0. */
  convertedFrom?: string;
  /** What loading left out (see load.ts). */
  loadWarnings: string[];
}

/** Parses the spec at `file` into its bundled document, operations and descriptors. */
export async function parseSpec(file: string): Promise<ParsedSpec> {
  const { document, convertedFrom, warnings } = await loadDocument(file);
  const operations = listOperations(document).map((at) =>
    atPointer(operationPointer(at.path, at.method), () => operationInput(at, document)),
  );
  const ignored = new Set<string>();
  const outputDescriptions = document[OUTPUT_DESCRIPTIONS_EXTENSION] === true;
  const descriptors = buildDescriptors(operations, document, { ignored, outputDescriptions });
  return {
    document,
    operations,
    descriptors,
    ignoredKeywords: [...ignored].sort(),
    loadWarnings: warnings,
    ...(convertedFrom === undefined ? {} : { convertedFrom }),
  };
}
