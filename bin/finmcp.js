#!/usr/bin/env node
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
