/** Builders for the parts of hand-made tool descriptors (contract/descriptor.ts) that the runtime tests feed in. */
import type { BodyBinding } from '../../contract/descriptor.js';

/** A `properties` body binding; `fields` maps each input property to the body field it is sent as. */
export function propertiesBody(contentType: string, required: boolean, fields: Record<string, string>): BodyBinding {
  return {
    kind: 'properties',
    contentType,
    required,
    fields: Object.entries(fields).map(([property, name]) => ({ property, name })),
  };
}
