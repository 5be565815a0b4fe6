/**
 * B4B's registry entry: it declares its settings, and the overrides it creates read them — the XML size limit, the
 * backend named in the sign-in page, and the environment's credentials over stdio only (a shared HTTP server never
 * signs every caller in as one account).
 */
import { describe, expect, it } from 'vitest';
import type { ServiceTokenSource } from '../../../src/auth/client-credentials.js';
import { Settings } from '../../../src/config.js';
import type { BackendOverrides } from '../../../src/core/backend-overrides.js';
import { createLogger } from '../../../src/log.js';
import { b4bPlugin } from '../../../src/overrides/b4b/plugin.js';
import { NOT_LOGGED_IN } from '../../../src/overrides/b4b/session.js';
import { B4B_SETTINGS } from '../../../src/overrides/b4b/settings.js';
import { INVOICE_XML } from '../invoice.js';
import { b4bContext, b4bSession } from './context.js';

const noServiceToken: ServiceTokenSource = {
  getToken: () => Promise.reject(new Error('B4B has no service credential')),
  invalidate: () => {},
};
const CREDENTIALS = { B4B_PHONE: '+84909495665', B4B_PASSWORD: 'SecurePassword123@' };

function create(
  env: Record<string, string>,
  transport: 'stdio' | 'http',
  backendUrl?: string,
): Promise<BackendOverrides> {
  return b4bPlugin.create({
    settings: new Settings(env),
    logger: createLogger({ level: 'silent' }),
    serviceToken: noServiceToken,
    transport,
    ...(backendUrl === undefined ? {} : { backendUrl }),
  });
}

/** What the import check says to a caller who has not called `login`. */
async function importWithoutLogin(overrides: BackendOverrides, xml = INVOICE_XML): Promise<string | undefined> {
  const check = overrides.tools?.['import_invoice_xml']?.check;
  expect(check).toBeDefined();
  return check!(
    { entity_id: 'e', xml_content: xml },
    b4bContext('import_invoice_xml', { session: await b4bSession() }),
  );
}

describe('b4bPlugin', () => {
  it('declares exactly its settings', () => {
    expect(b4bPlugin.settings).toEqual(Object.values(B4B_SETTINGS));
  });

  const credentialCases: Array<{
    name: string;
    env: Record<string, string>;
    transport: 'stdio' | 'http';
    asks: boolean;
  }> = [
    {
      name: 'stdio with phone and password: signs in from the environment',
      env: CREDENTIALS,
      transport: 'stdio',
      asks: false,
    },
    { name: 'HTTP with phone and password: every caller logs in', env: CREDENTIALS, transport: 'http', asks: true },
    {
      name: 'stdio with a phone only: the caller logs in',
      env: { B4B_PHONE: CREDENTIALS.B4B_PHONE },
      transport: 'stdio',
      asks: true,
    },
    { name: 'stdio without credentials', env: {}, transport: 'stdio', asks: true },
  ];
  it.each(credentialCases)('$name', async ({ env, transport, asks }) => {
    const verdict = await importWithoutLogin(await create(env, transport));
    expect(verdict).toBe(asks ? NOT_LOGGED_IN : undefined);
  });

  it('applies B4B_MAX_XML_BYTES to the import check', async () => {
    const overrides = await create({ ...CREDENTIALS, B4B_MAX_XML_BYTES: '64' }, 'stdio');
    expect(await importWithoutLogin(overrides, INVOICE_XML)).toMatch(/xml_content.*64/);
  });

  it('names the backend URL in the sign-in page, or the sandbox without one', async () => {
    const render = async (backendUrl?: string): Promise<string> =>
      (await create({}, 'http', backendUrl)).pages!['sign_in']!.render({ data: {}, requester: 'alice' });
    expect(await render('https://api.b4b.example')).toContain('Finizi B4B at https://api.b4b.example');
    expect(await render()).toContain('the Finizi B4B sandbox');
  });
});
