#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MB young generation keeps a busy server's resident memory low: V8's default lets it grow to 3 x 16 MB under
// load (BENCHMARKS.md measures both). Running `node bin/finmcp.js` skips this line and its flag.
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import('../dist/src/cli/main.js').then(
  (cli) => cli.main(process.argv),
  (error) => {
    process.stderr.write(
      `finmcp: cannot load dist/src/cli/main.js (${error.code ?? error.message}); run \`npm run build\` first\n`,
    );
    process.exit(1);
  },
);
