/**
 * The settings of the FinOpps backend beyond every backend's `FINOPPS_*` ones (src/config.ts): declared next to its
 * overrides and merged into the README's table by `documentedSettings`, so that generic code names none of them.
 */
import { textSetting } from '../../config.js';
import { DEFAULT_ORGANIZATION_CLAIM } from './organization.js';

export const FINOPPS_SETTINGS = {
  orgClaim: textSetting(
    'FINOPPS_ORG_CLAIM',
    DEFAULT_ORGANIZATION_CLAIM,
    "Token claim holding the caller's organisations (tenant binding)",
  ),
} as const;
