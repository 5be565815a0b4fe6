/**
 * OpenAPI 3.0 §4.7.24 Schema Object compatibility, rewritten to its JSON Schema 2020-12 equivalent so that a spec
 * written against 3.0 habits still yields valid tool schemas:
 * - `nullable: true` → `null` added to the `type` array (3.1 §4.8.24 dropped `nullable`), and to `enum` when present;
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` (Draft 4 style) → the numeric 2020-12 form.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { setTypeList, typeList } from './json.js';

/** Returns a copy of `schema` with 3.0-only forms rewritten; the `nullable` keyword itself is removed. */
export function fromOpenApi30(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if ('nullable' in out) {
    const nullable = out['nullable'] === true;
    delete out['nullable'];
    const types = typeList(out);
    // Without a type, `nullable` has nothing to widen (OpenAPI 3.0.3 clarification): it is simply dropped.
    if (nullable && types !== undefined && !types.includes('null')) setTypeList(out, [...types, 'null']);
    if (nullable && Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  }
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const flag = out[exclusive];
    if (typeof flag !== 'boolean') continue;
    if (flag && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }
  return out;
}
