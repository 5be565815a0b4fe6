/**
 * `BackendApi.fetchFor` (backend-overrides.ts): the WHATWG `fetch` (Fetch Standard §5.1) a generated openapi-fetch client
 * is built with in hand-written tools. Each request is routed to the generated operation its method and path name
 * and sent as that operation (its outbound auth, idempotency and 401 hook) through the backend's pooled client, so
 * the typed client reaches nothing the contract does not describe and shares every limit of generated tools.
 *
 * Routing follows OpenAPI 3.1 §4.8.8 (Paths Object): a concrete path is matched before a templated one of the same
 * shape (`/invoices/statistics` before `/invoices/{invoice_id}`).
 */
import { createBackendFetch } from '../backend/backend-fetch.js';
import type { BackendHttp, BackendHttpResponse, BackendRequest } from '../backend/backend-http.js';
import type { GeneratedTool } from './served-tools.js';

/** The generated operation of a method and a path relative to the base URL, if any. */
export type OperationRoute = (method: string, path: string) => GeneratedTool | undefined;

/** Sends a request as one generated operation. */
type SendAsOperation = (tool: GeneratedTool, req: BackendRequest) => Promise<BackendHttpResponse>;

/** Routes over `operations`; built once per backend. */
export function operationRoute(operations: Iterable<GeneratedTool>): OperationRoute {
  const routes = [...operations]
    .map((tool) => {
      const { method, path } = tool.descriptor.operation;
      const literal = path.split(/\{[^{}]+\}/);
      const pattern = literal.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
      return { tool, method: method.toUpperCase(), templated: literal.length - 1, re: new RegExp(`^${pattern}$`) };
    })
    .sort((a, b) => a.templated - b.templated);
  return (method, path) => {
    const upper = method.toUpperCase();
    return routes.find((r) => r.method === upper && r.re.test(path))?.tool;
  };
}

/** A `fetch` over `baseUrl` sending each request as the operation `route` names; other requests are refused. */
export function operationFetch(
  baseUrl: string,
  route: OperationRoute,
  send: SendAsOperation,
): (request: Request) => Promise<Response> {
  const http: BackendHttp = {
    baseUrl,
    send: async (req) => {
      const tool = route(req.method, req.path);
      if (tool === undefined)
        throw new Error(`fetch: ${req.method} ${req.path} is no operation of the backend's contract`);
      return send(tool, req);
    },
    // The pool belongs to the ToolService; this view of it closes nothing.
    close: async () => undefined,
  };
  return createBackendFetch(http);
}
