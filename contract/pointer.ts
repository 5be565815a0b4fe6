/**
 * JSON Pointer (RFC 6901) resolution of local references (`#/components/schemas/X`), as used by OpenAPI 3.1 §4.8.23
 * Reference Object and JSON Schema 2020-12 §8.2.3.1 `$ref`: the one `$ref` resolver of the project, used by the
 * generator (on a document whose references parse/load.ts made local), `finmcp verify` and the benchmark.
 */

/** Splits a local reference (`#/a/b~1c`) into unescaped pointer tokens. */
export function pointerTokens(ref: string): string[] {
  if (!ref.startsWith('#')) throw new Error(`only local references are supported, got "${ref}"`);
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: "${ref}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one token for a JSON pointer (RFC 6901 §3). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Resolves a local reference against a document; throws naming the reference when it does not exist. */
export function resolvePointer(document: unknown, ref: string): unknown {
  let node: unknown = document;
  for (const token of pointerTokens(ref)) {
    if (Array.isArray(node)) {
      node = node[Number(token)];
    } else if (typeof node === 'object' && node !== null && Object.hasOwn(node, token)) {
      node = (node as Record<string, unknown>)[token];
    } else {
      throw new Error(`unresolvable reference "${ref}"`);
    }
  }
  if (node === undefined) throw new Error(`unresolvable reference "${ref}"`);
  return node;
}

/**
 * Follows a chain of Reference Objects (`{ $ref }` → `{ $ref }` → object), e.g. a parameter defined in
 * components. Cycles of pure references are an error in the spec.
 */
export function derefObject(document: unknown, value: unknown): unknown {
  const seen = new Set<string>();
  let node = value;
  while (typeof node === 'object' && node !== null && typeof (node as { $ref?: unknown }).$ref === 'string') {
    const ref = (node as { $ref: string }).$ref;
    if (seen.has(ref)) throw new Error(`reference cycle at "${ref}"`);
    seen.add(ref);
    node = resolvePointer(document, ref);
  }
  return node;
}

/** `#/paths/~1pets/get` */
export function operationPointer(path: string, method: string): string {
  return `#/paths/${escapePointerToken(path)}/${method}`;
}

/** Runs `work`, prefixing an error's message with `pointer` (once). */
export function atPointer<T>(pointer: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    throw new Error(message.startsWith('#/') ? message : `${pointer}: ${message}`, { cause: error });
  }
}
