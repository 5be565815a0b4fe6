/**
 * B4B's own settings, read through the typed table (src/config.ts): each from its variable, with its default, and
 * a malformed value refused naming the variable and the rule.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, Settings } from '../../../src/config.js';
import { B4B_SETTINGS, DEFAULT_MAX_XML_BYTES } from '../../../src/overrides/b4b/settings.js';

describe('B4B_SETTINGS', () => {
  const cases: Array<{ name: keyof typeof B4B_SETTINGS; env: Record<string, string>; value: unknown }> = [
    { name: 'maxXmlBytes', env: {}, value: DEFAULT_MAX_XML_BYTES },
    { name: 'maxXmlBytes', env: { B4B_MAX_XML_BYTES: '2048' }, value: 2048 },
    { name: 'requireConfirmation', env: {}, value: false },
    { name: 'requireConfirmation', env: { B4B_REQUIRE_CONFIRMATION: 'true' }, value: true },
    { name: 'phone', env: {}, value: undefined },
    { name: 'phone', env: { B4B_PHONE: '+84909495665' }, value: '+84909495665' },
    { name: 'password', env: { B4B_PASSWORD: 'SecurePassword123@' }, value: 'SecurePassword123@' },
  ];
  it.each(cases)('$name from $env', ({ name, env, value }) => {
    expect(new Settings(env).read(B4B_SETTINGS[name])).toBe(value);
  });

  it('refuses a malformed size, naming the variable and the rule', () => {
    expect(() => new Settings({ B4B_MAX_XML_BYTES: 'lots' }).read(B4B_SETTINGS.maxXmlBytes)).toThrow(ConfigError);
    expect(() => new Settings({ B4B_MAX_XML_BYTES: 'lots' }).read(B4B_SETTINGS.maxXmlBytes)).toThrow(
      /B4B_MAX_XML_BYTES must be a non-negative integer \(got "lots"\)/,
    );
  });

  it('documents every setting under its own B4B_ variable', () => {
    for (const def of Object.values(B4B_SETTINGS)) {
      expect(def.env).toMatch(/^B4B_[A-Z_]+$/);
      expect(def.description.length).toBeGreaterThan(10);
    }
  });
});
