/**
 * finmcp's architecture as import rules, checked by `npm run lint:code` (dependency-cruiser). Read top to bottom,
 * it is the layer picture of the README's Architecture section:
 *
 *   contract/   the generator–runtime contract (descriptor types, JSON pointer, ajv options): imports nothing
 *   codegen/    the generator: contract/ only, never the runtime
 *   src/        the runtime: contract/ only, never the generator
 *     pages/      HTML: one template, one escape                                   ← imports no other layer
 *     config.ts, log.ts, paths.ts, free-port.ts: the ground every layer stands on
 *     auth/       inbound credentials (OAuth resource server, API keys), outbound client credentials
 *     backend/    the pooled HTTP client to a backend
 *     state/      sessions, sign-ins, rate limits: memory or Redis
 *     audit/      the audit trail: records, hash chain, sinks (file, stdout, Redis stream)
 *     core/       the tool service: validate → bind → check → send → shape
 *     protocol/   the dispatch core: MCP eras, JSON-RPC, elicitation
 *     transport/  stdio, node:http and fetch adapters over the dispatch core
 *     sandbox/    Prism mocks and the local authorization server
 *     overrides/  <backend>/ folders (one per backend with hand-written parts) and their registry
 *     cli/        commands: the composition root, the one layer that wires all others
 *
 * Each rule below forbids what would blur that picture; `type-only` imports count too (types belong to layers).
 */
/** Every src/ layer but the given ones, as a path pattern. */
const LAYERS = ['audit', 'auth', 'backend', 'cli', 'core', 'overrides', 'pages', 'protocol', 'sandbox', 'state', 'transport'];
const layers = (...names) => `^src/(${names.join('|')})/`;
const allBut = (...names) => layers(...LAYERS.filter((name) => !names.includes(name)));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere: each module can be read, tested and loaded after what it imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-imports-nothing',
      severity: 'error',
      comment: 'contract/ is shared by codegen/ and src/ so that neither imports the other: it stands alone.',
      from: { path: '^contract/' },
      to: { path: '^(src|codegen|generated)/' },
    },
    {
      name: 'codegen-not-runtime',
      severity: 'error',
      comment: 'The generator knows the runtime only through contract/ (it runs at build time, not when serving).',
      from: { path: '^codegen/' },
      to: { path: '^(src|generated)/' },
    },
    {
      name: 'runtime-not-codegen',
      severity: 'error',
      comment:
        'A served install runs without the generator and its libraries: `finmcp generate` reaches codegen/ through ' +
        'its own CLI (bin/finmcp.js), never by an import from src/.',
      from: { path: '^src/' },
      to: { path: '^codegen/' },
    },
    {
      name: 'runtime-not-dev-dependencies',
      severity: 'error',
      comment:
        'src/ runs from a production install: it may load only dependencies, never devDependencies. Except ' +
        '`finmcp pack`, which bundles a built clone (like `generate`) with the MCPB library.',
      from: { path: '^src/', pathNot: '^src/cli/pack\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'generic-code-knows-no-backend',
      severity: 'error',
      comment:
        'Generic code (everything outside src/overrides/<backend>/) never names a backend: only the registry ' +
        'src/overrides/index.ts lists the backend folders.',
      from: { path: '^(src|codegen|contract)/', pathNot: ['^src/overrides/[^/]+/', '^src/overrides/index\\.ts$'] },
      to: { path: '^src/overrides/[^/]+/' },
    },
    {
      name: 'backend-folders-independent',
      severity: 'error',
      comment: "A backend's folder uses generic code and its own files, never another backend's.",
      from: { path: '^src/overrides/([^/]+)/' },
      to: { path: '^src/overrides/[^/]+/', pathNot: '^src/overrides/$1/' },
    },
    {
      name: 'generated-only-in-backend-folders',
      severity: 'error',
      comment:
        "Generated code is loaded by name at run time (src/cli/generated.ts); only a backend's own folder imports " +
        'its generated typed client.',
      from: { path: '^src/', pathNot: '^src/overrides/[^/]+/' },
      to: { path: '^generated/' },
    },
    {
      name: 'cli-is-the-composition-root',
      severity: 'error',
      comment: 'Only the commands wire layers together; nothing but the serverless entry imports src/cli/.',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/serverless\\.ts$'] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'pages-stand-alone',
      severity: 'error',
      comment: 'HTML pages are markup only: any layer may show one, the pages import no layer.',
      from: { path: '^src/pages/' },
      to: { path: allBut('pages') },
    },
    {
      name: 'auth-below-the-runtime',
      severity: 'error',
      comment: 'Credential checks know nothing of tools, protocol, transports or state.',
      from: { path: '^src/auth/' },
      to: { path: allBut('auth') },
    },
    {
      name: 'backend-client-below-the-runtime',
      severity: 'error',
      comment: 'The backend HTTP client is plain HTTP: no tools, no MCP, no callers.',
      from: { path: '^src/backend/' },
      to: { path: allBut('backend') },
    },
    {
      name: 'state-below-the-runtime',
      severity: 'error',
      comment:
        'Stores and limiters serve the layers above them and import none of them (but the tool error their ' +
        '"state unavailable" answer is, and the caller type they key by).',
      from: { path: '^src/state/' },
      to: { path: allBut('state', 'auth', 'core') },
    },
    {
      name: 'state-uses-core-errors-only',
      severity: 'error',
      comment: 'From core/, state/ takes only the tool error type.',
      from: { path: '^src/state/' },
      to: { path: '^src/core/', pathNot: '^src/core/tool-error\\.ts$' },
    },
    {
      name: 'audit-below-the-runtime',
      severity: 'error',
      comment:
        'The audit trail writes records others build: it knows no tool, protocol or transport (but the redaction it ' +
        'reuses, and the Redis connection its stream sink writes on).',
      from: { path: '^src/audit/' },
      to: { path: allBut('audit', 'core', 'state') },
    },
    {
      name: 'audit-uses-core-redaction-only',
      severity: 'error',
      comment: 'From core/, audit/ takes only the redaction of secrets.',
      from: { path: '^src/audit/' },
      to: { path: '^src/core/', pathNot: '^src/core/redact\\.ts$' },
    },
    {
      name: 'core-knows-no-protocol',
      severity: 'error',
      comment:
        'The tool service never knows how a call arrived: no MCP protocol, transport, page, sandbox or backend ' +
        'folder (overrides plug in through core/backend-overrides.ts).',
      from: { path: '^src/core/' },
      to: { path: allBut('core', 'audit', 'auth', 'backend', 'state') },
    },
    {
      name: 'protocol-knows-no-transport',
      severity: 'error',
      comment: 'The dispatch core speaks MCP over any transport: it imports no transport, backend or override.',
      from: { path: '^src/protocol/' },
      to: { path: allBut('protocol', 'auth', 'core', 'state') },
    },
    {
      name: 'transport-adapters-only',
      severity: 'error',
      comment:
        'Transports frame bytes and guard HTTP; they serve the dispatch core and keep state only in the store. ' +
        'They know no backend, override, sandbox or backend client.',
      from: { path: '^src/transport/' },
      to: { path: allBut('transport', 'audit', 'auth', 'core', 'pages', 'protocol', 'state') },
    },
    {
      name: 'sandbox-stands-beside',
      severity: 'error',
      comment: 'The sandbox (Prism, the local authorization server) is started by the CLI and serves no MCP itself.',
      from: { path: '^src/sandbox/' },
      to: { path: allBut('sandbox', 'auth', 'pages') },
    },
    {
      name: 'overrides-below-the-commands',
      severity: 'error',
      comment:
        'Backend folders use the tool service, state, pages and auth types; they never reach into transports, ' +
        'the dispatch core or the commands.',
      from: { path: '^src/overrides/' },
      to: { path: allBut('overrides', 'auth', 'core', 'pages', 'sandbox', 'state') },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
