/**
 * The child process that decides which file Prism reads (prism-spec.ts): run by prism.ts before Prism itself, as
 * `node prism-prepare.js <spec> <cacheDir>`, it prints one JSON line `{ file, depth?, nodes? }`. A process of its
 * own because preparing a big spec takes seconds of CPU and hundreds of MB: neither may hold up the server's event
 * loop nor count against its heap cap (bin/finmcp.js).
 */
import { prismSpecFile } from './prism-spec.js';

const [specFile, cacheDir] = process.argv.slice(2);
if (specFile === undefined || cacheDir === undefined) {
  process.stderr.write('usage: prism-prepare.js <spec file> <cache dir>\n');
  process.exit(2);
}
try {
  process.stdout.write(`${JSON.stringify(prismSpecFile(specFile, { cacheDir }))}\n`);
} catch (error) {
  process.stderr.write(`${specFile}: ${(error as Error).message}\n`);
  process.exit(1);
}
