#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=256
// Heap caps keep a loaded server under 100 MB resident (V8 otherwise grows the heap lazily to ~150-180 MB while
// ~22 MB is live), for ~0.03 ms more CPU per call (BENCHMARKS.md). `node bin/finmcp.js` skips these flags.
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm ci` (prepare) or `npm run build`. `generate` goes
// to the generator's own CLI, so that the runtime never loads the generator (nor needs its devDependencies).
const entry = process.argv[2] === 'generate' ? 'codegen/cli.js' : 'src/cli/main.js';
import(`../dist/${entry}`).then(
  (cli) => cli.main(process.argv),
  (error) => {
    process.stderr.write(
      `finmcp: cannot load dist/${entry} (${error.code ?? error.message}); run \`npm run build\` first\n`,
    );
    process.exit(1);
  },
);
