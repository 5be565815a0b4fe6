/**
 * The ajv 8 instance behind every input validator (JSON Schema 2020-12): the ones codegen precompiles into generated/
 * and the ones the runtime compiles from hand-written tools' schemas, so both hold arguments to the same rules.
 *
 * Strict about unknown keywords (`strict`), but not where ajv's strict mode refuses VALID 2020-12 schemas
 * (`strictTypes`, `strictTuples`, `strictRequired`, matching `properties`/`patternProperties`); every error is
 * reported (`allErrors`), so every bad field is named. ajv-formats' formats are known to both.
 */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its default export is the module object.
type AddFormats = typeof import('ajv-formats').default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as AddFormats;

const VALIDATOR_OPTIONS = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowMatchingProperties: true,
  allowUnionTypes: true,
  allErrors: true,
} as const;

/** An ajv 2020 instance with the validators' options (plus `extra`: e.g. codegen's `code`) and ajv-formats. */
export function createValidatorAjv(extra: Pick<Options, 'code' | 'meta' | 'validateSchema'> = {}): Ajv2020 {
  const ajv = new Ajv2020({ ...VALIDATOR_OPTIONS, ...extra });
  addFormats(ajv);
  return ajv;
}
