/**
 * The B4B API as the hand-written tools call it: the generated typed openapi-fetch client (generated/b4b/
 * client.gen.ts, whose paths, parameters and bodies TypeScript checks against specs/b4b.yaml), sending through
 * finmcp's own backend path (`BackendApi.fetchFor`: the pooled client, timeouts, size limits, outbound auth, the
 * 401 hook and redaction of generated tools).
 */
import type { BackendApi } from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import { describeHttpError } from '../../core/http-problem.js';
import { createApiClient } from '../../../generated/b4b/client.gen.js';

/** The typed client of one call. */
type B4bClient = ReturnType<typeof createApiClient>;

/** A typed client sending as `ctx` (whose `tool` decides what a 401 means: see `onUnauthorized` in overrides.ts). */
export function b4bClient(api: BackendApi, ctx: CallContext): B4bClient {
  return createApiClient({ baseUrl: api.baseUrl, fetch: api.fetchFor(ctx) });
}

/** A non-2xx answer of the typed client in one message: its status and what its body says (http-problem.ts). */
export function httpProblem(response: Response, error: unknown): string {
  // openapi-fetch hands over the error body parsed as JSON, or as text when it is not JSON.
  const text = typeof error === 'string' ? { text: error } : { body: error };
  return describeHttpError({ status: response.status, headers: {}, body: undefined, ...text });
}
