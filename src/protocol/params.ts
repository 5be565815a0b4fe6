/**
 * Explaining invalid request params with the SDK's own request schemas (`@modelcontextprotocol/core` 2.x): the
 * dispatch core checks params by hand on the way in and comes here only for a request that failed, so the
 * schema bundle (~100 ms to load) is loaded on the first invalid request, never on the hot path.
 */
import type { JsonObject } from './messages.js';

/** Schemas by method, loaded once. */
let schemas:
  | Promise<Record<string, { safeParse(value: unknown): { success: boolean; error?: { issues: Issue[] } } }>>
  | undefined;

/** One zod issue, reduced to what is shown. */
interface Issue {
  path: PropertyKey[];
  message: string;
}

/** Most issues listed in one message. */
const MAX_ISSUES = 5;

/** `Invalid <method> request: <field>: <rule>; …` for params the method's schema refuses. */
export async function explainInvalidParams(method: string, params: JsonObject | undefined): Promise<string> {
  schemas ??= import('@modelcontextprotocol/core').then((core) => ({
    initialize: core.InitializeRequestSchema,
    'tools/call': core.CallToolRequestSchema,
    'tools/list': core.ListToolsRequestSchema,
  }));
  const schema = (await schemas)[method];
  const parsed = schema?.safeParse(params === undefined ? { method } : { method, params });
  const issues = parsed?.error?.issues ?? [];
  if (issues.length === 0) return `Invalid ${method} request: params are not valid`;
  const shown = issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.map(String).join('.') || 'params'}: ${issue.message}`);
  return `Invalid ${method} request: ${shown.join('; ')}`;
}
