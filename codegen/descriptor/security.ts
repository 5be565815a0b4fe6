/**
 * Effective security requirements of an operation (OpenAPI 3.1 §4.8.10 `security` overrides the top-level
 * §4.8.1 `security`; §4.8.30 Security Requirement Object). An empty list means the operation is explicitly public.
 */
import { isObject } from '../schema/json.js';

/** Normalises a raw list of Security Requirement Objects (scopes as string arrays, keys in spec order). */
function normalizeSecurity(raw: unknown): Array<Record<string, string[]>> {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(isObject)
    .map((requirement) =>
      Object.fromEntries(
        Object.entries(requirement).map(([scheme, scopes]) => [
          scheme,
          Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
        ]),
      ),
    );
}

/** The operation's own `security` when present (even empty), else the document's. */
export function effectiveSecurity(
  operationSecurity: unknown,
  documentSecurity: unknown,
): Array<Record<string, string[]>> {
  return normalizeSecurity(operationSecurity !== undefined ? operationSecurity : documentSecurity);
}
