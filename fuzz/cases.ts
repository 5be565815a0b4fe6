/**
 * What the fuzzer sends: case number `n` of a run is generated from the seed and `n` alone (fast-check
 * `sample` with seed `seed + n`), so any case of any run can be replayed (`--seed S --case N`).
 *
 * Most cases are `tools/call` requests of a served tool with arguments made from the tool's own inputSchema:
 * valid, broken in one place, replaced by a hostile shape, or aimed at a tool that does not exist. The rest
 * are malformed JSON-RPC 2.0 envelopes (JSON-RPC 2.0 §4–5: bad ids, missing or mistyped params, unknown
 * methods, wrong version, batches, text that is not JSON) and notifications, which get no answer (§4.1).
 */
import fc from 'fast-check';
import { hostileString, hostileValue, POLLUTION_KEYS, toJson, withKeys } from './hostile.js';
import { mutatedArguments, validArguments, type JsonSchema } from './schema-arbitrary.js';

/** A JSON-RPC id as the server may echo it. */
export type RpcId = string | number | null;

/** What a correct server does with one message. */
export interface Expectation {
  /** Ids the answer may carry (null: the id could not be read, JSON-RPC 2.0 §5). Empty: no answer. */
  ids: RpcId[];
  /** Whether it is a `tools/call` whose answer must be a tool result or a JSON-RPC error. */
  toolCall: boolean;
}

/** One rendered message: the exact text sent and what must come back. */
export interface RenderedCase {
  body: string;
  expect: Expectation;
}

/** One generated case. `render` gets a number unique in the run, to make ids unique among calls in flight. */
export interface FuzzCase {
  /** Kind, for the summary (e.g. `tool:mutated`, `envelope:bad-id`). */
  kind: string;
  /** The tool called, for tool calls. */
  tool?: string;
  render(unique: number): RenderedCase;
}

/** A served tool as tools/list describes it. */
export interface ServedTool {
  name: string;
  inputSchema: JsonSchema;
}

const JSONRPC = '2.0';

function toolCallCase(kind: string, tool: string, argsPresent: boolean, args: unknown): FuzzCase {
  return {
    kind,
    tool,
    render: (unique) => {
      const params = argsPresent ? { name: tool, arguments: args } : { name: tool };
      return {
        body: toJson({ jsonrpc: JSONRPC, id: unique, method: 'tools/call', params }),
        expect: { ids: [unique], toolCall: true },
      };
    },
  };
}

/** `tools/call` cases for the backend's tools. */
function toolCalls(tools: readonly ServedTool[]): fc.Arbitrary<FuzzCase> {
  const perTool = tools.map((tool) => {
    const schema = tool.inputSchema;
    return fc.oneof(
      {
        weight: 35,
        arbitrary: validArguments(schema).map((args) => toolCallCase('tool:valid', tool.name, true, args)),
      },
      {
        weight: 35,
        arbitrary: mutatedArguments(schema).map((args) => toolCallCase('tool:mutated', tool.name, true, args)),
      },
      { weight: 10, arbitrary: hostileValue.map((args) => toolCallCase('tool:hostile-shape', tool.name, true, args)) },
      {
        weight: 8,
        arbitrary: fc
          .dictionary(
            fc.oneof(
              hostileString.filter((s) => s.length < 100),
              fc.constantFrom(...POLLUTION_KEYS),
            ),
            hostileValue,
            { maxKeys: 6 },
          )
          .map((args) => toolCallCase('tool:hostile-keys', tool.name, true, args)),
      },
      { weight: 4, arbitrary: fc.constant(toolCallCase('tool:no-arguments', tool.name, false, undefined)) },
    );
  });
  return fc.oneof(
    { weight: 96, arbitrary: fc.oneof(...perTool) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.oneof(
            hostileString.filter((s) => s.length < 2000),
            fc.constantFrom(...tools.map((t) => `${t.name} `)),
          ),
          validArguments({}),
        )
        .map(([name, args]) => toolCallCase('tool:unknown-name', name, true, args)),
    },
  );
}

/** A message rendered around a unique id, answered with one of `ids(unique)`. */
function envelope(kind: string, message: (unique: number) => unknown, ids: (unique: number) => RpcId[]): FuzzCase {
  return {
    kind,
    render: (unique) => ({ body: toJson(message(unique)), expect: { ids: ids(unique), toolCall: false } }),
  };
}

/** A message whose text is given as is (not JSON, or JSON that is no request), answered with id null. */
function rawText(kind: string, text: string): FuzzCase {
  return { kind, render: () => ({ body: text, expect: { ids: [null], toolCall: false } }) };
}

/** Malformed envelopes, odd requests and notifications. */
function envelopes(tools: readonly ServedTool[]): fc.Arbitrary<FuzzCase> {
  const someTool = fc.constantFrom(...tools.map((t) => t.name));
  const self = (u: number): RpcId[] => [u];
  const selfOrNull = (u: number): RpcId[] => [u, null];
  return fc.oneof(
    fc
      .oneof(
        hostileString.filter((s) => s.length < 2000),
        fc.constantFrom(
          'tools/destroy',
          'resources/read',
          'prompts/get',
          'sampling/createMessage',
          'rpc.discover',
          'initialize ',
        ),
      )
      .map((method) => envelope('envelope:unknown-method', (u) => ({ jsonrpc: JSONRPC, id: u, method }), self)),
    fc
      .tuple(fc.constantFrom<unknown>([], ['a'], 'params', 5, true, null), someTool)
      .map(([params]) =>
        envelope(
          'envelope:params-type',
          (u) => ({ jsonrpc: JSONRPC, id: u, method: 'tools/call', params }),
          selfOrNull,
        ),
      ),
    fc.constant(envelope('envelope:no-params', (u) => ({ jsonrpc: JSONRPC, id: u, method: 'tools/call' }), self)),
    fc
      .tuple(
        hostileValue.filter((v) => typeof v !== 'string'),
        fc.boolean(),
      )
      .map(([name, withName]) =>
        envelope(
          'envelope:bad-tool-name',
          (u) => ({
            jsonrpc: JSONRPC,
            id: u,
            method: 'tools/call',
            params: withName ? { name, arguments: {} } : { arguments: {} },
          }),
          self,
        ),
      ),
    fc
      .tuple(fc.constantFrom<unknown>({}, { id: 1 }, [], [1], true, false, 1.5, -2.25, 1e300), someTool)
      .map(([id, tool]) =>
        envelope(
          'envelope:bad-id',
          () => ({ jsonrpc: JSONRPC, id, method: 'tools/call', params: { name: tool, arguments: {} } }),
          () =>
            // JSON-RPC 2.0 §4 allows a number with a fraction (SHOULD NOT, not MUST NOT): echoed or null.
            typeof id === 'number' ? [id, null] : [null],
        ),
      ),
    fc
      .tuple(
        hostileString.filter((s) => s.length < 5000),
        someTool,
      )
      .map(([text, tool]) =>
        envelope(
          'envelope:string-id',
          (u) => ({
            jsonrpc: JSONRPC,
            id: `${text}#${u}`,
            method: 'tools/call',
            params: { name: tool, arguments: {} },
          }),
          (u) => [`${text}#${u}`],
        ),
      ),
    fc
      .constantFrom<unknown>('1.0', 2, null, undefined, '2.0 ')
      .map((version) =>
        envelope('envelope:version', (u) => ({ jsonrpc: version, id: u, method: 'tools/list' }), selfOrNull),
      ),
    fc
      .tuple(fc.constantFrom(...POLLUTION_KEYS, 'extra', 'result'), hostileValue)
      .map(([key, value]) =>
        envelope(
          'envelope:extra-member',
          (u) => withKeys({ jsonrpc: JSONRPC, id: u, method: 'tools/list' }, [[key, value]]),
          selfOrNull,
        ),
      ),
    hostileValue.map((params) =>
      envelope('envelope:ping-params', (u) => ({ jsonrpc: JSONRPC, id: u, method: 'ping', params }), self),
    ),
    hostileValue.map((cursor) =>
      envelope(
        'envelope:list-cursor',
        (u) => ({ jsonrpc: JSONRPC, id: u, method: 'tools/list', params: { cursor } }),
        self,
      ),
    ),
    fc
      .tuple(
        fc.oneof(
          hostileString.filter((s) => s.length < 2000),
          fc.constantFrom('notifications/initialized', 'notifications/cancelled', 'notifications/progress'),
        ),
        hostileValue,
      )
      .map(([method, params]) =>
        envelope(
          'notification',
          () => ({ jsonrpc: JSONRPC, method, params }),
          () => [],
        ),
      ),
    hostileValue.map((reason) =>
      envelope(
        'notification:cancel-unknown',
        () => ({
          jsonrpc: JSONRPC,
          method: 'notifications/cancelled',
          params: { requestId: 'fuzz-not-in-flight', reason },
        }),
        () => [],
      ),
    ),
    hostileValue.map((result) =>
      envelope(
        'response-to-server',
        (u) => ({ jsonrpc: JSONRPC, id: `fuzz-response-${u}`, result }),
        () => [],
      ),
    ),
    fc
      .constantFrom(
        '{"jsonrpc":"2.0","id":1,"method":',
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{',
        '{]',
        'not json at all',
        '\u0000\u0001\u0002',
        '[]',
        '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
        'null',
        '"a string"',
        '12345',
        '{}',
        '{"id":null}',
        '\uFEFF{"jsonrpc":"2.0","id":1,"method":"ping"',
        `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
        `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      )
      .map((text) => rawText('envelope:not-json-rpc', text)),
  );
}

/** Every case of a backend: about nine in ten are tool calls, the rest envelopes and notifications. */
export function caseArbitrary(tools: readonly ServedTool[]): fc.Arbitrary<FuzzCase> {
  return fc.oneof({ weight: 9, arbitrary: toolCalls(tools) }, { weight: 1, arbitrary: envelopes(tools) });
}

/** Case `index` of the run with `seed` (pure: the same inputs give the same case). */
export function generateCase(arbitrary: fc.Arbitrary<FuzzCase>, seed: number, index: number): FuzzCase {
  const [value] = fc.sample(arbitrary, { seed: (seed + index) | 0, numRuns: 1 });
  if (value === undefined) throw new Error('fast-check produced no case');
  return value;
}
