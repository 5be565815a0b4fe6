/**
 * Configuration: how settings are read, and that the README's configuration table documents every setting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, documentedSettings, Settings, envPrefix } from '../src/config.js';
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
      expect(() => settings.int('FINMCP_X', 7)).toThrow(ConfigError);
      expect(() => settings.int('FINMCP_X', 7)).toThrow(/FINMCP_X must be a non-negative integer/);
    } else {
      expect(settings.int('FINMCP_X', 7)).toBe(want);
    }
  });

  it('reads lists, booleans and per-backend settings', () => {
    const settings = new Settings({ L: ' a, b ,,c ', B: 'yes', MY_API_BACKEND_URL: 'http://x' });
    expect(settings.list('L', [])).toEqual(['a', 'b', 'c']);
    expect(settings.list('MISSING', ['d'])).toEqual(['d']);
    expect(settings.bool('B')).toBe(true);
    expect(settings.bool('MISSING')).toBe(false);
    expect(settings.backend('my-api', 'BACKEND_URL')).toBe('http://x');
    expect(envPrefix('my-api.v2')).toBe('MY_API_V2');
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## When a backend'));
  const names = documentedSettings(Object.values(backendModules).map((module) => module.settings)).map((setting) => setting.env);
  it.each(names)('documents %s', (name) => {
    expect(table).toContain(`\`${name}\``);
  });

  it('holds the backends\' own settings, declared by their modules', () => {
    expect(names).toEqual(expect.arrayContaining(['B4B_MAX_XML_BYTES', 'FINOPPS_ORG_CLAIM']));
  });
});
