/**
 * The settings an MCP Bundle asks its user for (the manifest's `user_config`) and the environment its server is
 * started with (`mcp_config.env`). They are rows of the settings table (src/config.ts and the backend's own rows in
 * src/overrides/<backend>/settings.ts), so each one's description, default and secrecy is stated once: the bundle
 * maps each answer to the variable `serve` already reads. Which rows a backend needs follows from how it is served:
 * its URL always; a user's access token and its issuer when users sign in with OAuth; the client credentials when it
 * calls its API with the server's own token; static secrets for the spec's schemes when it has no override module;
 * and every row its override module declares.
 */
import { BACKEND_SETTINGS, SETTINGS, envPrefix, type SettingDef } from '../../config.js';
import { secretForScheme } from '../../core/static-credentials.js';
import type { BackendPlan } from '../serve/backend-plans.js';

/** One setting of a bundle: its `user_config` key, the variable it fills and its row. */
export interface BundleSetting {
  key: string;
  env: string;
  row: SettingDef;
}

/** One `user_config` entry (MCPB manifest 0.2). */
export interface UserConfigOption {
  type: 'string' | 'number' | 'boolean';
  title: string;
  description: string;
  required: boolean;
  default: string | number | boolean;
  sensitive?: boolean;
  min?: number;
  max?: number;
}

/** The static-secret row of each secret kind. */
const STATIC_SECRET_ROWS = {
  apiKey: BACKEND_SETTINGS.apiKey,
  bearerToken: BACKEND_SETTINGS.bearerToken,
  basicAuth: BACKEND_SETTINGS.basicAuth,
} as const;

/** The settings the bundle of one planned backend offers, in the order a user fills them in. */
export function bundleSettings(plan: BackendPlan): BundleSetting[] {
  const prefix = envPrefix(plan.name);
  const own = (row: SettingDef): BundleSetting => ({ key: keyOf(row.env, prefix), env: row.env, row });
  const perBackend = (row: SettingDef): BundleSetting => ({
    key: keyOf(row.env, ''),
    env: `${prefix}_${row.env}`,
    row,
  });
  const rows: SettingDef[] = [BACKEND_SETTINGS.backendUrl];
  if (plan.oauth) rows.push(BACKEND_SETTINGS.accessToken, BACKEND_SETTINGS.oauthIssuer);
  if (plan.serviceCredential)
    rows.push(BACKEND_SETTINGS.tokenUrl, BACKEND_SETTINGS.clientId, BACKEND_SETTINGS.clientSecret);
  else if (plan.overrides.outboundAuth === undefined) rows.push(...staticSecretRows(plan));
  return [
    { key: keyOf(SETTINGS.sandbox.env, 'FINMCP'), env: SETTINGS.sandbox.env, row: SETTINGS.sandbox },
    ...rows.map(perBackend),
    ...(plan.module?.settings ?? []).map(own),
  ];
}

/** The static secrets the spec's security schemes call for (as src/core/static-credentials.ts meets them). */
function staticSecretRows(plan: BackendPlan): SettingDef[] {
  const kinds = new Set(Object.values(plan.generated.securitySchemes).map(secretForScheme));
  return (Object.keys(STATIC_SECRET_ROWS) as Array<keyof typeof STATIC_SECRET_ROWS>)
    .filter((kind) => kinds.has(kind))
    .map((kind) => STATIC_SECRET_ROWS[kind]);
}

/** `FINOPPS_ORG_CLAIM` → `org_claim`: the variable without its prefix, in lower case. */
function keyOf(env: string, prefix: string): string {
  const bare = prefix !== '' && env.startsWith(`${prefix}_`) ? env.slice(prefix.length + 1) : env;
  return bare.toLowerCase();
}

/** Words a title writes in capitals or with a capital inside. */
const TITLE_WORDS: Readonly<Record<string, string>> = {
  url: 'URL',
  id: 'ID',
  ids: 'IDs',
  xml: 'XML',
  oauth: 'OAuth',
  api: 'API',
  jwks: 'JWKS',
};

/** `client_id` → `Client ID`. */
function titleOf(key: string): string {
  const words = key.split('_').map((word) => TITLE_WORDS[word] ?? word);
  const first = words[0] ?? '';
  return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(' ');
}

/**
 * The manifest's `user_config` and the `mcp_config.env` that passes each answer on. Every entry is optional and has
 * a default: a host substitutes `${user_config.<key>}` only for keys that have a value, so an empty default keeps an
 * unanswered text setting unset (the server treats an empty variable as unset) instead of passing the placeholder.
 */
export function userConfigOf(settings: readonly BundleSetting[]): {
  userConfig: Record<string, UserConfigOption>;
  env: Record<string, string>;
} {
  const userConfig: Record<string, UserConfigOption> = {};
  const env: Record<string, string> = {};
  for (const { key, env: name, row } of settings) {
    userConfig[key] = optionOf(key, name, row);
    env[name] = `\${user_config.${key}}`;
  }
  return { userConfig, env };
}

/** One entry: the row's description, its choices and what an unset value means, and the variable it sets. */
function optionOf(key: string, env: string, row: SettingDef): UserConfigOption {
  const shown = row.shown === undefined ? '' : ` Unset: ${row.shown.replace(/^\((.*)\)$/, '$1')}.`;
  const choices = row.type === 'text' && row.choices !== undefined ? ` One of: ${row.choices.join(', ')}.` : '';
  const base = {
    title: titleOf(key),
    description: `${row.description.replace(/\.$/, '')}.${choices}${shown} (${env})`,
    required: false,
    ...(row.secret === true ? { sensitive: true } : {}),
  };
  switch (row.type) {
    case 'bool':
      return { ...base, type: 'boolean', default: row.default };
    case 'int':
      return {
        ...base,
        type: 'number',
        default: row.default ?? '',
        min: row.min ?? 0,
        ...(row.max === undefined ? {} : { max: row.max }),
      };
    case 'list':
      return { ...base, type: 'string', default: row.default?.join(',') ?? '' };
    case 'text':
      return { ...base, type: 'string', default: row.default ?? '' };
  }
}
