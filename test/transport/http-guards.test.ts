/** Host (DNS rebinding) and Origin matching, loopback detection, default allowed hosts. */
import { describe, expect, it } from 'vitest';
import {
  createHostMatcher,
  createOriginMatcher,
  defaultAllowedHosts,
  isLoopbackHost,
} from '../../src/transport/http-guards.js';

describe('createHostMatcher', () => {
  const matches = createHostMatcher(['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'mcp.example.com']);
  const cases: Array<{ given: string | undefined; want: boolean }> = [
    { given: 'localhost:3000', want: true },
    { given: 'LOCALHOST:3000', want: true },
    { given: '127.0.0.1:3000', want: true },
    { given: '[::1]:3000', want: true },
    { given: 'localhost:3001', want: false },
    { given: 'localhost', want: false },
    { given: 'mcp.example.com', want: true },
    { given: 'mcp.example.com:443', want: true },
    { given: 'evil.example.com', want: false },
    { given: 'evil.com:3000', want: false },
    { given: 'localhost.evil.com:3000', want: false },
    { given: '', want: false },
    { given: undefined, want: false },
  ];
  it.each(cases)('Host $given → $want', ({ given, want }) => {
    expect(matches(given)).toBe(want);
  });
});

describe('createOriginMatcher', () => {
  const matches = createOriginMatcher(['http://localhost:6274', 'https://app.example.com/']);
  const cases: Array<{ given: string; want: boolean }> = [
    { given: 'http://localhost:6274', want: true },
    { given: 'HTTP://LOCALHOST:6274', want: true },
    { given: 'https://app.example.com', want: true },
    { given: 'http://localhost:6275', want: false },
    { given: 'http://app.example.com', want: false },
    { given: 'null', want: false },
  ];
  it.each(cases)('Origin $given → $want', ({ given, want }) => {
    expect(matches(given)).toBe(want);
  });
});

describe('isLoopbackHost', () => {
  const cases: Array<{ given: string; want: boolean }> = [
    { given: '127.0.0.1', want: true },
    { given: '127.1.2.3', want: true },
    { given: 'localhost', want: true },
    { given: '::1', want: true },
    { given: '[::1]', want: true },
    { given: '0.0.0.0', want: false },
    { given: '::', want: false },
    { given: '10.0.0.5', want: false },
    { given: 'example.com', want: false },
  ];
  it.each(cases)('$given → $want', ({ given, want }) => {
    expect(isLoopbackHost(given)).toBe(want);
  });
});

describe('defaultAllowedHosts', () => {
  const cases: Array<{ given: [number, string, string?]; want: string[] }> = [
    { given: [3000, '127.0.0.1'], want: ['localhost:3000', '127.0.0.1:3000', '[::1]:3000'] },
    { given: [3000, '0.0.0.0'], want: ['localhost:3000', '127.0.0.1:3000', '[::1]:3000'] },
    { given: [3000, '10.0.0.5'], want: ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', '10.0.0.5:3000'] },
    {
      given: [3000, '0.0.0.0', 'https://mcp.example.com/finopps/mcp'],
      want: ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'mcp.example.com'],
    },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(defaultAllowedHosts(...given)).toEqual(want);
  });
});
