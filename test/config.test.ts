/**
 * Configuration: how settings are read, and that the README's configuration table documents every setting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_SETTINGS,
  boolSetting,
  ConfigError,
  documentedSettings,
  envPrefix,
  intSetting,
  listSetting,
  SETTINGS,
  Settings,
} from '../src/config.js';
import { backendModules } from '../src/overrides/index.js';
import { projectRoot } from '../src/paths.js';

describe('Settings', () => {
  const ints: Array<{ given: string | undefined; want: number | 'error' }> = [
    { given: undefined, want: 7 },
    { given: '', want: 7 },
    { given: '0', want: 0 },
    { given: '42', want: 42 },
    { given: '-1', want: 'error' },
    { given: '1.5', want: 'error' },
    { given: 'ten', want: 'error' },
  ];
  it.each(ints)('int($given) → $want', ({ given, want }) => {
    const settings = new Settings(given === undefined ? {} : { FINMCP_X: given });
    if (want === 'error') {
      expect(() => settings.read(intSetting('FINMCP_X', 7, ''))).toThrow(ConfigError);
      expect(() => settings.read(intSetting('FINMCP_X', 7, ''))).toThrow(/FINMCP_X must be a non-negative integer/);
    } else {
      expect(settings.read(intSetting('FINMCP_X', 7, ''))).toBe(want);
    }
  });

  it('reads lists, booleans and per-backend settings', () => {
    const settings = new Settings({ L: ' a, b ,,c ', B: 'yes', MY_API_BACKEND_URL: 'http://x' });
    expect(settings.read(listSetting('L', [], ''))).toEqual(['a', 'b', 'c']);
    expect(settings.read(listSetting('MISSING', ['d'], ''))).toEqual(['d']);
    expect(settings.read(boolSetting('B', ''))).toBe(true);
    expect(settings.read(boolSetting('MISSING', ''))).toBe(false);
    expect(settings.readBackend('my-api', BACKEND_SETTINGS.backendUrl)).toBe('http://x');
    expect(envPrefix('my-api.v2')).toBe('MY_API_V2');
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## When a backend'));
  const names = documentedSettings(Object.values(backendModules).map((module) => module.settings)).map(
    (setting) => setting.env,
  );
  it.each(names)('documents %s', (name) => {
    expect(table).toContain(`\`${name}\``);
  });

  it("holds the backends' own settings, declared by their modules", () => {
    expect(names).toEqual(expect.arrayContaining(['B4B_MAX_XML_BYTES', 'FINOPPS_ORG_CLAIM']));
  });
});

describe('typed settings', () => {
  it('reads each row as its type, the flag over the variable over the default', () => {
    const settings = new Settings({
      FINMCP_PORT: '8080',
      FINMCP_SANDBOX: 'yes',
      FINMCP_ALLOWED_ORIGINS: 'https://a, https://b',
      ACME_BACKEND_URL: 'http://acme',
    });
    expect(settings.read(SETTINGS.port)).toBe(8080);
    expect(settings.read(SETTINGS.port, '9090')).toBe(9090);
    expect(settings.read(SETTINGS.transport)).toBe('stdio');
    expect(settings.read(SETTINGS.sandbox)).toBe(true);
    expect(settings.read(SETTINGS.dynamic, true)).toBe(true);
    expect(settings.read(SETTINGS.allowedOrigins)).toEqual(['https://a', 'https://b']);
    expect(settings.read(SETTINGS.publicUrl)).toBeUndefined();
    expect(settings.readBackend('acme', BACKEND_SETTINGS.backendUrl)).toBe('http://acme');
    expect(settings.readBackend('acme', BACKEND_SETTINGS.verifyToken)).toBe('finmcp-verify');
  });

  it.each([
    [
      { FINMCP_TRANSPORT: 'pigeon' },
      SETTINGS.transport,
      undefined,
      /FINMCP_TRANSPORT must be stdio or http \(got "pigeon"\)/,
    ],
    [{}, SETTINGS.transport, 'pigeon', /--transport must be stdio or http/],
    [{ FINMCP_PORT: '70000' }, SETTINGS.port, undefined, /FINMCP_PORT must be at most 65535/],
    [{}, SETTINGS.port, 'eighty', /--port must be a non-negative integer \(got "eighty"\)/],
    [{ FINMCP_MAX_ATTEMPTS: '0' }, SETTINGS.maxAttempts, undefined, /FINMCP_MAX_ATTEMPTS must be at least 1/],
  ] as const)('refuses %o / flag %s naming the setting and the rule', (env, def, flag, message) => {
    expect(() => new Settings(env).read(def, flag)).toThrow(ConfigError);
    expect(() => new Settings(env).read(def, flag)).toThrow(message);
  });

  it('states each variable once', () => {
    const names = documentedSettings(Object.values(backendModules).map((module) => module.settings)).map(
      (row) => row.env,
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
