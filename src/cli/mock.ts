/**
 * `finmcp mock <backend>`: the Prism mock server of a backend's spec, request validation on, static examples
 * unless `--dynamic`. Runs until interrupted.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, Settings } from '../config.js';
import { createLogger } from '../log.js';
import { projectRoot } from '../paths.js';

/** Starts Prism on `specs/<backend>.yaml` and keeps it running until SIGINT/SIGTERM. */
export async function runMock(backend: string, options: { port: string; dynamic?: boolean }): Promise<void> {
  const specFile = join(projectRoot(), 'specs', `${backend}.yaml`);
  if (!existsSync(specFile)) throw new ConfigError(`no spec for "${backend}": expected ${specFile}`);
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number (got "${options.port}")`);
  const settings = new Settings(process.env);
  const logger = createLogger({ level: settings.get('FINMCP_LOG_LEVEL', 'info') });
  const { startPrism } = await import('../sandbox/prism.js');
  const mock = await startPrism({ specFile, port, dynamic: options.dynamic === true, logger });
  process.stderr.write(`Prism mock of ${backend} listening on ${mock.url} (${options.dynamic === true ? 'dynamic' : 'static examples'}, request validation on)\n`);
  const stop = (): void => {
    mock.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
