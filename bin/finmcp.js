#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256
// Heap caps keep a loaded server under 100 MB resident (V8 otherwise grows the heap lazily to ~150-180 MB while
// ~22 MB is live). The young generation's 4 MB semi-spaces, not 2: with 16 calls in flight each scavenge copies
// what they hold, and halving the scavenges cut the collector's instructions per call from ~147k to ~41k (of ~640k:
// bench --only ratio, BENCH_ICOUNT=1) at the same resident size under load. `node bin/finmcp.js` skips these flags.
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
