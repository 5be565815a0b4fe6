/**
 * src/protocol/versions.ts restates the SDK's protocol constants (so that serving never loads the SDK's schema
 * bundle): they must stay equal to those of `@modelcontextprotocol/server` 2.x.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LATEST_PROTOCOL_VERSION,
  PROTOCOL_VERSION_META_KEY,
  ProtocolErrorCode,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import * as ours from '../../src/protocol/versions.js';

describe('protocol constants', () => {
  it('equal the SDK 2.x ones', () => {
    expect(ours.LEGACY_VERSIONS).toEqual(SUPPORTED_PROTOCOL_VERSIONS);
    expect(ours.LATEST_LEGACY_VERSION).toBe(LATEST_PROTOCOL_VERSION);
    expect(ours.PROTOCOL_VERSION_META_KEY).toBe(PROTOCOL_VERSION_META_KEY);
    expect(ours.CLIENT_CAPABILITIES_META_KEY).toBe(CLIENT_CAPABILITIES_META_KEY);
    expect(ours.CLIENT_INFO_META_KEY).toBe(CLIENT_INFO_META_KEY);
    expect(ours.SERVER_INFO_META_KEY).toBe(SERVER_INFO_META_KEY);
    expect(ErrorCode.UnsupportedProtocolVersion).toBe(ProtocolErrorCode.UnsupportedProtocolVersion);
    expect(ErrorCode.HeaderMismatch).toBe(-32020);
    expect(ours.MODERN_VERSIONS).toEqual(['2026-07-28']);
    expect(ours.isModernVersion('2026-07-28')).toBe(true);
    expect(ours.isModernVersion('2025-11-25')).toBe(false);
  });
});
