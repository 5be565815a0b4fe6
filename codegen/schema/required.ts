/**
 * `required` names must be declared in `properties` of the same schema for ajv's `strictRequired` (ajv strict mode;
 * JSON Schema 2020-12 validation §6.5.3 itself allows undeclared names). A name only required — typically in a
 * `oneOf` branch saying "one of these fields" — is declared as `{}`, which accepts any value and so changes nothing.
 */
import type { JsonSchema } from '../../src/descriptor.js';
import { isObject } from './json.js';

/** Declares, in place, each required-but-undeclared name as an empty property schema. */
export function declareRequiredProperties(schema: JsonSchema): void {
  const required = schema['required'];
  if (!Array.isArray(required) || required.length === 0) return;
  const properties = isObject(schema['properties']) ? { ...schema['properties'] } : {};
  let changed = false;
  for (const name of required) {
    if (typeof name === 'string' && !(name in properties)) {
      properties[name] = {};
      changed = true;
    }
  }
  if (changed) schema['properties'] = properties;
}
