import { describe, expect, it } from 'vitest';
import type { ParameterInput } from '../../../codegen/descriptor/operation.js';
import { isToolParameter, parameterBinding, parameterSchema } from '../../../codegen/descriptor/parameters.js';
import { SchemaConverter } from '../../../codegen/schema/convert.js';

describe('parameterBinding', () => {
  it('defaults style and explode by location (OpenAPI 3.1 §4.8.12.4): simple for path and header, exploded form otherwise', () => {
    const locations = ['path', 'query', 'cookie', 'header'] as const;
    const bindings = locations.map((location) =>
      parameterBinding({ name: 'n', in: location, required: location === 'path' }, 'p'),
    );
    expect(bindings.map((binding) => [binding.in, binding.name, binding.style, binding.explode])).toEqual([
      ['path', 'n', 'simple', false],
      ['query', 'n', 'form', true],
      ['cookie', 'n', 'form', true],
      ['header', 'n', 'simple', false],
    ]);
  });

  const cases: Array<{ name: string; given: ParameterInput; want: unknown }> = [
    {
      name: 'explicit style, explode and allowReserved kept',
      given: { name: 'f', in: 'query', required: false, style: 'deepObject', explode: true, allowReserved: true },
      want: { property: 'p', in: 'query', name: 'f', style: 'deepObject', explode: true, allowReserved: true },
    },
    {
      name: 'form with explode false',
      given: { name: 'ids', in: 'query', required: false, style: 'form', explode: false },
      want: { property: 'p', in: 'query', name: 'ids', style: 'form', explode: false },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(parameterBinding(given, 'p')).toEqual(want);
  });
});

describe('isToolParameter', () => {
  const cases: Array<{ given: Pick<ParameterInput, 'in' | 'name'>; want: boolean }> = [
    { given: { in: 'header', name: 'Authorization' }, want: false },
    { given: { in: 'header', name: 'accept' }, want: false },
    { given: { in: 'header', name: 'Content-Type' }, want: false },
    { given: { in: 'header', name: 'X-Request-Id' }, want: true },
    { given: { in: 'query', name: 'authorization' }, want: true },
  ];
  it.each(cases)('$given.in $given.name', ({ given, want }) => {
    expect(isToolParameter(given)).toBe(want);
  });
});

describe('parameterSchema', () => {
  const converter = new SchemaConverter({}, 'input');
  const cases: Array<{ name: string; given: ParameterInput; want: unknown }> = [
    {
      name: 'description, examples and deprecation carried over',
      given: {
        name: 'd',
        in: 'query',
        required: false,
        schema: { type: 'integer', description: 'schema text', example: 1 },
        description: ' Depth. ',
        examples: [3],
        deprecated: true,
      },
      want: { type: 'integer', description: 'Depth.', examples: [3], deprecated: true },
    },
    {
      name: 'schema example kept when the parameter has none',
      given: { name: 'd', in: 'query', required: false, schema: { type: 'string', example: 'x' } },
      want: { type: 'string', examples: ['x'] },
    },
    { name: 'no schema: anything', given: { name: 'd', in: 'query', required: false }, want: {} },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(parameterSchema(given, converter)).toEqual(want);
  });
});
