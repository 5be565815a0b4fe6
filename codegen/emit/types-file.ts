/**
 * `schema.gen.ts`: the API's TypeScript types (`paths`, `components`, `operations`) from openapi-typescript 7 — the
 * types the typed openapi-fetch client is parameterised with. OpenAPI 3.1 §4.8 objects are translated by
 * openapi-typescript itself; this module only feeds it the already-bundled document and adds the header.
 */
import openapiTS, { astToString } from 'openapi-typescript';
import type { JsonObject } from '../schema/json.js';
import { tsHeader } from './header.js';

/** Renders `schema.gen.ts` for a bundled spec (the document is cloned: openapi-typescript may annotate it). */
export async function renderTypesFile(document: JsonObject, source: string): Promise<string> {
  const ast = await openapiTS(structuredClone(document) as unknown as Parameters<typeof openapiTS>[0], { silent: true });
  return `${tsHeader(source)}\n\n${astToString(ast).trimEnd()}\n`;
}
