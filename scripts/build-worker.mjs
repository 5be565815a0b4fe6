// Bundles the Cloudflare Worker (docs/examples/cloudflare-worker.mjs) with esbuild into one folder, dist/worker/ by
// default: `worker.js`, and the files the server reads at run time (package.json, which marks the project root; each
// backend's generated tools.gen.json, tools/*.gen.json and spec; docs/tools.md) at their paths in the project. Deployed with them as
// modules (wrangler.toml's rules), workerd shows them read-only under /bundle through node:fs, so each bundled module's
// `import.meta.url` (undefined on workerd) is set at build time to its own path there: file:///bundle/<path>.
//   node scripts/build-worker.mjs [out-dir]      (wrangler.toml's build command)
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where workerd shows a Worker's modules through node:fs. */
const BUNDLE_ROOT = 'file:///bundle/';

/** Builds the Worker into `outDir`; resolves with the paths (relative to it) of the files written. */
export async function buildWorker(outDir = join(root, 'dist', 'worker')) {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'docs', 'examples', 'cloudflare-worker.mjs')],
    outfile: join(outDir, 'worker.js'),
    bundle: true,
    format: 'esm',
    // Node built-ins stay imports (workerd's nodejs_compat provides them); packages' "workerd"/"worker" builds win.
    platform: 'node',
    conditions: ['workerd', 'worker'],
    target: 'es2022',
    logLevel: 'warning',
    plugins: [importMetaUrlAsBundlePath, precompiledValidators, builtinRequiresAsImports, withoutCodeMode],
  });
  const dataFiles = ['package.json', join('docs', 'tools.md')];
  for (const backend of readdirSync(join(root, 'generated'), { withFileTypes: true })) {
    if (!backend.isDirectory()) continue;
    const tools = join('generated', backend.name, 'tools.gen.json');
    dataFiles.push(tools, JSON.parse(readFileSync(join(root, tools), 'utf8')).backend.specFile);
    // Each tool's own descriptor file, read on its first use (its validator module is bundled).
    const perTool = join('generated', backend.name, 'tools');
    for (const file of readdirSync(join(root, perTool))) dataFiles.push(join(perTool, file));
  }
  for (const file of dataFiles) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    copyFileSync(join(root, file), join(outDir, file));
  }
  return ['worker.js', ...dataFiles];
}

/**
 * esbuild plugin: `import.meta.url` in each module becomes that module's path under /bundle, and a `require` made
 * with `createRequire(import.meta.url)` (the generated validators' ajv runtime, pino) esbuild's own, so that what it
 * loads is bundled too.
 */
const importMetaUrlAsBundlePath = {
  name: 'import-meta-url-as-bundle-path',
  setup(builder) {
    builder.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: forBundle(text, relative(root, args.path)), loader: 'js' };
    });
  },
};

/** `text` of the module at `path` (in the project) with `import.meta.url` and its `createRequire` made static. */
function forBundle(text, path) {
  return text
    .replace(/\bconst require = createRequire\(import\.meta\.url\);?/, '')
    .replaceAll('createRequire(import.meta.url)', 'require')
    .replaceAll('import.meta.url', JSON.stringify(BUNDLE_ROOT + path.split('\\').join('/')));
}

/**
 * esbuild plugin: the module `finmcp-worker:precompiled-validators`, exporting `precompiled` — [schema, validator]
 * pairs for every schema compiled at run time elsewhere: those the backend plugins list (`schemas`) and the generated
 * tools' output schemas (results are checked against them), compiled now with codegen's ajv standalone emitter.
 */
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(builder) {
    builder.onResolve({ filter: /^finmcp-worker:precompiled-validators$/ }, ({ path }) => ({
      path,
      namespace: 'worker-generated',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'worker-generated' }, async () => {
      const { backendModules } = await import(pathToFileURL(join(root, 'dist', 'src', 'overrides', 'index.js')).href);
      const { renderValidatorsFile, SchemaChecker } = await import(
        pathToFileURL(join(root, 'dist', 'codegen', 'emit', 'validators-file.js')).href
      );
      const { backendLoaders } = await import(pathToFileURL(join(root, 'generated', 'index.gen.js')).href);
      const schemas = new Map();
      for (const plugin of Object.values(backendModules)) {
        for (const schema of plugin.schemas ?? []) schemas.set(JSON.stringify(schema), schema);
      }
      // Generated tools' inputs come precompiled in generated/; their outputs are checked at run time too.
      for (const load of Object.values(backendLoaders)) {
        for (const tool of (await load()).tools) {
          if (tool.outputSchema !== undefined) schemas.set(JSON.stringify(tool.outputSchema), tool.outputSchema);
        }
      }
      const texts = [...schemas.keys()];
      const tools = texts.map((text, i) => ({ name: `s${i}`, inputSchema: JSON.parse(text) }));
      const module = renderValidatorsFile("the backend plugins' schemas", tools, new SchemaChecker());
      const pairs = texts.map((text, i) => `  [${text}, validators.s${i}],`);
      const contents = `${module}\nexport const precompiled = [\n${pairs.join('\n')}\n];\n`;
      return { contents: forBundle(contents, 'precompiled-validators.js'), loader: 'js', resolveDir: root };
    });
  },
};

/**
 * esbuild plugin: `require('node:os')` and the like in CommonJS packages (pino, ioredis, ...) become ESM imports of
 * the built-in module, hoisted to the bundle's top: an ES module bundle has no `require` of its own for them.
 */
const builtinRequiresAsImports = {
  name: 'builtin-requires-as-imports',
  setup(builder) {
    const builtins = new Set(builtinModules);
    builder.onResolve({ filter: /^[a-z_:/]+$/ }, ({ path, kind }) => {
      const name = path.replace(/^node:/, '');
      if (kind !== 'require-call' || !builtins.has(name)) return undefined;
      return { path: `node:${name}`, namespace: 'node-builtin' };
    });
    builder.onLoad({ filter: /.*/, namespace: 'node-builtin' }, ({ path }) => ({
      contents: `import builtin from ${JSON.stringify(path)};\nmodule.exports = builtin;`,
      loader: 'js',
    }));
  },
};

/**
 * esbuild plugin: code mode (FINMCP_CODE) stays out of the Worker. It needs TypeScript's compiler (9 MB, over a
 * Worker's size limit) and QuickJS's WebAssembly read from disk; asking for it fails at start-up saying so.
 */
const withoutCodeMode = {
  name: 'without-code-mode',
  setup(builder) {
    builder.onResolve({ filter: /\/code\/serve-code\.js$/ }, () => ({ path: 'code-mode', namespace: 'worker-stub' }));
    builder.onLoad({ filter: /.*/, namespace: 'worker-stub' }, () => ({
      contents: `export async function codeModeService() {
        throw new Error('code mode (FINMCP_CODE) is not available on Cloudflare Workers: serve it with finmcp serve');
      }`,
      loader: 'js',
    }));
  },
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = process.argv[2] ?? join(root, 'dist', 'worker');
  const files = await buildWorker(outDir);
  process.stdout.write(`built ${files.length} files into ${relative(process.cwd(), outDir) || '.'}\n`);
}
