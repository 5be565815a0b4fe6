/**
 * `client.gen.ts`: a typed openapi-fetch 0.17 client factory over the generated `paths` (OpenAPI 3.1 §4.8.8 Paths
 * Object), for hand-written code that calls the backend directly with full types.
 */
import { tsHeader } from './header.js';

/** Renders `client.gen.ts`. */
export function renderClientFile(source: string, title: string): string {
  return `${tsHeader(source)}
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.gen.js';

/** A typed client for ${JSON.stringify(title)}: every path, method, parameter and body is checked by TypeScript. */
export function createApiClient(options: ClientOptions): Client<paths> {
  return createClient<paths>(options);
}
`;
}
