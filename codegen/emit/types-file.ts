/**
 * `schema.gen.ts`: the API's TypeScript types (`paths`, `components`, `operations`) from openapi-typescript 7 — the
 * types the typed openapi-fetch client is parameterised with. OpenAPI 3.1 §4.8 objects are translated by
 * openapi-typescript itself; this module feeds it the already-bundled document (references into the middle of an
 * operation hoisted into `components` first: hoist-refs.ts) and adds the header.
 */
import { type Config, createConfig } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import type { JsonObject } from '../schema/json.js';
import { tsHeader } from './header.js';
import { hoistInnerReferences } from './hoist-refs.js';

/**
 * A Redocly configuration with no lint rule: openapi-typescript lints every document it reads (its default rejects
 * duplicate operationIds), but the generator has read and checked the spec already, and names clashing tools itself
 * — a lint failure here would abort a spec the tools were generated from. Skipping the rules also saves seconds on
 * a 1,000-operation spec.
 */
let noLint: Promise<Config> | undefined;

/**
 * openapi-typescript's helper for `allOf` members that add `required` names: `keyof T` is `never` when T is nullable
 * (an OpenAPI 3.0 `nullable: true` schema becomes `X | null`), and `tsc` then refuses the whole file (TS2344). The
 * same helper over the non-null part types exactly the same values: `null & {…}` is `never` either way.
 */
const WITH_REQUIRED = 'type WithRequired<T, K extends keyof T> = T & {\n    [P in K]-?: T[P];\n};';
const WITH_REQUIRED_NULLABLE =
  'type WithRequired<T, K extends keyof NonNullable<T>> = T & {\n    [P in K]-?: NonNullable<T>[P];\n};';

/** Renders `schema.gen.ts` for a bundled spec (the document is cloned: openapi-typescript may annotate it). */
export async function renderTypesFile(document: JsonObject, source: string): Promise<string> {
  noLint ??= createConfig({ rules: {} }, { extends: [] });
  const input = structuredClone(document);
  hoistInnerReferences(input);
  const ast = await openapiTS(input as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    redocly: await noLint,
  });
  const types = astToString(ast).trimEnd().replace(WITH_REQUIRED, WITH_REQUIRED_NULLABLE);
  return `${tsHeader(source)}\n\n${types}\n`;
}
