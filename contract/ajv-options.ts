/**
 * The ajv 8 options of every input validator (JSON Schema 2020-12): the ones codegen precompiles into generated/
 * and the ones the runtime compiles from hand-written tools' schemas, so both hold arguments to the same rules.
 *
 * Strict about unknown keywords (`strict`), but not where ajv's strict mode refuses VALID 2020-12 schemas
 * (`strictTypes`, `strictTuples`, `strictRequired`, matching `properties`/`patternProperties`); every error is
 * reported (`allErrors`), so every bad field is named.
 */
export const VALIDATOR_OPTIONS = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowMatchingProperties: true,
  allowUnionTypes: true,
  allErrors: true,
} as const;
