/** Host (DNS rebinding) and Origin matching, loopback detection, default allowed hosts. */
import { describe, expect, it } from 'vitest';
import {
  createHostMatcher,
  createOriginMatcher,
  defaultAllowedHosts,
  isLoopbackHost,
} from '../../src/transport/http-guards.js';
import { itAnswers } from '../helpers/truth-table.js';

describe('createHostMatcher', () => {
  const matches = createHostMatcher(['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'mcp.example.com']);
  itAnswers(
    'Host',
    matches,
    ['localhost:3000', 'LOCALHOST:3000', '127.0.0.1:3000', '[::1]:3000', 'mcp.example.com', 'mcp.example.com:443'],
    ['localhost:3001', 'localhost', 'evil.example.com', 'evil.com:3000', 'localhost.evil.com:3000', '', undefined],
  );
});

describe('createOriginMatcher', () => {
  const matches = createOriginMatcher(['http://localhost:6274', 'https://app.example.com/']);
  itAnswers(
    'Origin',
    matches,
    ['http://localhost:6274', 'HTTP://LOCALHOST:6274', 'https://app.example.com'],
    ['http://localhost:6275', 'http://app.example.com', 'null'],
  );
});

describe('isLoopbackHost', () => {
  itAnswers(
    'loopback',
    isLoopbackHost,
    ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'],
    ['0.0.0.0', '::', '10.0.0.5', 'example.com'],
  );
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
