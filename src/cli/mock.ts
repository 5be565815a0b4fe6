/**
 * `finmcp mock <backend>`: the Prism mock server of a backend's spec, request validation on, static examples
 * unless `--dynamic`. Runs until interrupted.
 */
import { join } from 'node:path';
import { findSpec } from '../../contract/spec-files.js';
import { ConfigError, SETTINGS, Settings } from '../config.js';
import { createLogger } from '../log.js';
import { projectRoot } from '../paths.js';

/** Starts Prism on the backend's spec (any file or folder form `generate` reads) until SIGINT/SIGTERM. */
export async function runMock(backend: string, options: { port: string; dynamic?: boolean }): Promise<void> {
  const specsDir = join(projectRoot(), 'specs');
  const specFile = findSpec(specsDir, backend);
  if (specFile === undefined) {
    throw new ConfigError(
      `no spec for "${backend}": expected ${specsDir}/${backend}.{yaml,yml,json} or ${specsDir}/${backend}/openapi.{yaml,yml,json}`,
    );
  }
  const settings = new Settings(process.env);
  // commander always gives the port (its own default is the mock's): the settings row only checks it.
  const port = settings.read(SETTINGS.port, options.port);
  const logger = createLogger({ level: settings.read(SETTINGS.logLevel) });
  const { startPrism } = await import('../sandbox/prism.js');
  const mock = await startPrism({ specFile, port, dynamic: options.dynamic === true, logger });
  process.stderr.write(
    `Prism mock of ${backend} listening on ${mock.url} (${options.dynamic === true ? 'dynamic' : 'static examples'}, request validation on)\n`,
  );
  const stop = (): void => {
    mock.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
