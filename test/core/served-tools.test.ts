import { describe, expect, it } from 'vitest';
import { buildServedTools } from '../../src/core/served-tools.js';
import { toolSelection } from '../../src/core/tool-selection.js';
import { itAnswers } from '../helpers/truth-table.js';
import type { BackendOverrides, HandWrittenTool } from '../../src/core/backend-overrides.js';
import type { GeneratedBackend, HttpMethod, PrecompiledValidator, ToolDescriptor } from '../../contract/descriptor.js';

const accept: PrecompiledValidator = () => true;

function descriptor(name: string, method: HttpMethod, idempotentHint?: boolean): ToolDescriptor {
  return {
    name,
    title: name,
    description: name,
    inputSchema: {
      type: 'object',
      required: ['orgId', 'q'],
      properties: { orgId: { type: 'string' }, q: { type: 'string' }, org: { type: 'integer' } },
    },
    outputSchema: { type: 'object' },
    annotations: idempotentHint === undefined ? {} : { idempotentHint },
    operation: { method, path: '/x', deprecated: false, tags: [], security: [] },
    parameters: [],
    output: { status: '200' },
  };
}

const tools = [
  descriptor('getA', 'get'),
  descriptor('putA', 'put'),
  descriptor('putB', 'put', false),
  descriptor('postA', 'post'),
  descriptor('postB', 'post', true),
  descriptor('delA', 'delete'),
];
const generated: GeneratedBackend = {
  name: 'acme',
  title: 'Acme',
  version: '1',
  specFile: 'specs/acme.yaml',
  servers: [],
  securitySchemes: {},
  tools,
  validators: Object.fromEntries(tools.map((t) => [t.name, accept])),
};

describe('buildServedTools', () => {
  const { operations } = buildServedTools({ generated, overrides: {} }, 1000);
  itAnswers(
    'idempotent',
    (name: string) => operations.get(name)?.idempotent,
    ['getA', 'putA', 'delA'],
    ['putB', 'postA', 'postB'],
  );

  it('lets a tool override re-annotate idempotency', () => {
    const { operations } = buildServedTools(
      { generated, overrides: { tools: { getA: { annotations: { idempotentHint: false } } } } },
      1000,
    );
    expect(operations.get('getA')?.idempotent).toBe(false);
  });

  it('prefers a tool binding over the backend-wide one, and binds only properties a tool has', async () => {
    const hand: HandWrittenTool = {
      name: 'hand',
      title: 'hand',
      description: 'hand',
      inputSchema: { type: 'object', properties: { other: { type: 'string' } } },
      annotations: {},
      call: async () => ({ content: [] }),
    };
    const overrides: BackendOverrides = {
      bind: { orgId: () => 'wide' },
      tools: { getA: { bind: { orgId: () => 'own' } } },
      extraTools: [hand],
    };
    const { served } = buildServedTools({ generated, overrides }, 1000);
    const ctx = { backend: 'acme', tool: 'getA', requestId: 'r', principal: { id: 'u', scopes: [], claims: {} } };
    expect(await served.get('getA')?.bind[0]?.[1](ctx, {})).toBe('own');
    expect(await served.get('putA')?.bind[0]?.[1](ctx, {})).toBe('wide');
    expect(served.get('hand')?.bind).toEqual([]);
  });

  it('never adds a commonInput property over one the tool already has', () => {
    const overrides: BackendOverrides = { commonInput: { org: { type: 'string' }, region: { type: 'string' } } };
    const { served } = buildServedTools({ generated, overrides }, 1000);
    const getA = served.get('getA');
    expect(getA?.common.map(([n]) => n)).toEqual(['region']);
    expect((getA?.listed.inputSchema['properties'] as Record<string, unknown>)['org']).toEqual({ type: 'integer' });
  });

  it('drops required when every required property is bound', () => {
    const overrides: BackendOverrides = { bind: { orgId: () => 'o', q: () => 'q' } };
    const { served } = buildServedTools({ generated, overrides }, 1000);
    expect(served.get('getA')?.listed.inputSchema).not.toHaveProperty('required');
    expect([...(served.get('getA')?.requiredBound ?? [])]).toEqual(['orgId', 'q']);
  });

  it('--read-only serves safe operations, read-only hand-written tools and session tools (a read-only server still signs users in)', () => {
    const hand = (name: string, more: Partial<HandWrittenTool>): HandWrittenTool => ({
      name,
      title: name,
      description: name,
      inputSchema: { type: 'object' },
      annotations: {},
      call: async () => ({ content: [] }),
      ...more,
    });
    const extraTools = [
      hand('sign_in', { session: true, annotations: { readOnlyHint: false } }),
      hand('report', { annotations: { readOnlyHint: true } }),
      hand('write_note', { annotations: { readOnlyHint: false } }),
    ];
    const { listed } = buildServedTools(
      { generated, overrides: { extraTools } },
      1000,
      toolSelection({ readOnly: true }),
    );
    expect(listed.map((t) => t.name)).toEqual(['getA', 'sign_in', 'report']);
  });

  it('refuses a generated tool without a validator', () => {
    const broken = { ...generated, validators: {} };
    expect(() => buildServedTools({ generated: broken, overrides: {} }, 1000)).toThrow('no validator for tool "getA"');
  });
});

describe('buildServedTools loads each tool on its first use', () => {
  /** `generated` whose descriptors' schemas and validators record when they are read. */
  function recording(): { backend: GeneratedBackend; read: string[] } {
    const read: string[] = [];
    const lazy = tools.map((tool) => {
      const copy = { ...tool } as Record<string, unknown>;
      for (const key of ['inputSchema', 'outputSchema', 'parameters', 'output']) {
        Object.defineProperty(copy, key, {
          enumerable: true,
          get: () => {
            read.push(`${tool.name}.${key}`);
            return (tool as unknown as Record<string, unknown>)[key];
          },
        });
      }
      return copy as unknown as ToolDescriptor;
    });
    const validators: Record<string, PrecompiledValidator> = {};
    for (const tool of tools) {
      Object.defineProperty(validators, tool.name, {
        enumerable: true,
        get: () => {
          read.push(`${tool.name}.validator`);
          return accept;
        },
      });
    }
    return { backend: { ...generated, tools: lazy, validators }, read };
  }

  it('reads no schema or validator to build, select and name the tools', () => {
    const { backend, read } = recording();
    const built = buildServedTools({ generated: backend, overrides: {} }, 1000, toolSelection({ tools: 'getA' }));
    expect(built.listed.map((tool) => tool.name)).toEqual(['getA']);
    expect(read).toEqual([]);
    expect(JSON.stringify(built.listed)).toContain('"orgId"');
    expect(read).toEqual(['getA.inputSchema', 'getA.outputSchema']);
  });

  it('builds a tool once on first use, and the maps then hold it as a plain object', () => {
    const { backend, read } = recording();
    const built = buildServedTools({ generated: backend, overrides: {} }, 1000);
    const standIn = built.served.get('putA');
    expect(standIn?.kind === 'generated' && standIn.validator).toBe(accept);
    expect([...new Set(read.filter((entry) => entry.startsWith('putA.')))].sort()).toEqual(
      ['putA.inputSchema', 'putA.outputSchema', 'putA.output', 'putA.parameters', 'putA.validator'].sort(),
    );
    expect(read.some((entry) => !entry.startsWith('putA.'))).toBe(false);
    const plain = built.served.get('putA');
    expect(plain).not.toBe(standIn);
    expect(built.operations.get('putA')).toBe(plain);
    const accessors = Object.values(Object.getOwnPropertyDescriptors(plain)).filter((d) => d.get !== undefined);
    expect(accessors).toEqual([]);
  });
});
