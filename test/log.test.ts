/**
 * src/log.ts: JSON lines with secrets redacted by path, levels checked before pino is loaded, and pino loaded only
 * for the first line actually written (a quiet stdio server starts without it). The last check runs the built
 * dist/ in a fresh process, where nothing else has loaded pino.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { projectRoot } from '../src/paths.js';

function capture(level: string): {
  logger: ReturnType<typeof createLogger>;
  lines: () => Array<Record<string, unknown>>;
} {
  const written: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void written.push(line) } });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON lines with secrets redacted at the top level and nested', () => {
    const { logger, lines } = capture('info');
    logger.info(
      { authorization: 'Bearer abc', headers: { cookie: 'sid=1' }, call: { args: { password: 'hunter2' } } },
      'called',
    );
    logger.warn('plain message');
    expect(lines()).toMatchObject([
      {
        level: 30,
        name: 'finmcp',
        msg: 'called',
        authorization: '[redacted]',
        headers: { cookie: '[redacted]' },
        call: { args: { password: '[redacted]' } },
      },
      { level: 40, msg: 'plain message' },
    ]);
    expect(JSON.stringify(lines())).not.toMatch(/abc|sid=1|hunter2/);
  });

  it('drops lines below its level and answers isLevelEnabled alike', () => {
    const { logger, lines } = capture('warn');
    logger.debug({ a: 1 }, 'debug');
    logger.info('info');
    logger.error({ b: 2 }, 'error');
    expect(lines().map((line) => line['msg'])).toEqual(['error']);
    expect([
      logger.isLevelEnabled('info'),
      logger.isLevelEnabled('warn'),
      logger.isLevelEnabled('silent'),
      logger.isLevelEnabled('loud'),
    ]).toEqual([false, true, false, false]);
    const silent = capture('silent');
    silent.logger.error('never');
    expect(silent.lines()).toEqual([]);
  });

  it('refuses an unknown level, naming the allowed ones', () => {
    expect(() => createLogger({ level: 'loud' })).toThrow(
      'log level must be one of trace, debug, info, warn, error, fatal, silent (got "loud")',
    );
  });

  it('loads pino only for the first line written (built dist/, fresh process)', async () => {
    const log = pathToFileURL(join(projectRoot(), 'dist', 'src', 'log.js')).href;
    const script = [
      "import { createRequire } from 'node:module';",
      `const { createLogger } = await import(${JSON.stringify(log)});`,
      'const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => /[\\\\/]node_modules[\\\\/]pino[\\\\/]/.test(file));',
      "const logger = createLogger({ level: 'warn' });",
      "logger.info('below the level');",
      'const before = loaded();',
      "logger.warn('written');",
      'logger.flush();',
      'console.log(JSON.stringify({ before, after: loaded() }));',
    ].join('\n');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: projectRoot(),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true });
    expect(stderr).toContain('"msg":"written"');
    expect(stderr).not.toContain('below the level');
  });
});
