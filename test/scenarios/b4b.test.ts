/**
 * The example requests of the Finizi B4B MCP server reference (shared/reference/finizi-b4b-mcp-server.txt), one
 * test each: its chat example ("list my recent invoices from the last 30 days"), and every call of its walk-throughs
 * ("Testing the Connection", "Authentication Flow", "Entity / Invoice / Vendor / Product Management") as the request
 * a user makes. Run against `serve b4b --transport http --sandbox` (Prism serving specs/b4b.yaml) through the SDK
 * client; each is answered within two tool calls after `login`, and what comes back must be what was asked for.
 *
 * The reference passes ids literally (`entity_id="550e8400-…"`, the sandbox's Sao Việt company); where it writes a
 * placeholder ("invoice-uuid-here", "vendor-uuid-here") the assistant has to find the id, and that call counts.
 *
 * The sandbox answers every operation with the first example of specs/b4b.yaml (README: filters are checked but do
 * not narrow the example data). Where a request filters a list, the test asserts what the user asked for is in the
 * answer and that every item is the entity's, not that nothing else is.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { Conversation, lastDays, type Data } from './conversation.js';

/** The entity the reference's examples pass literally: Công ty Cổ phần Công nghệ Sao Việt in the sandbox. */
const ENTITY_ID = '550e8400-e29b-41d4-a716-446655440000';
const PHONE = '+84909495665';

let running: RunningServers;
let endpoint: string;
let chat: Conversation | undefined;

beforeAll(async () => {
  running = await startServers(
    ['b4b'],
    { transport: 'http', port: '0', sandbox: true },
    new Settings({}),
    createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  );
  endpoint = running.endpoints['b4b']!;
}, 120_000);

afterAll(async () => {
  await running?.close();
});

afterEach(async () => {
  await chat?.close();
  chat = undefined;
});

/** A new MCP session, signed in with `login` as the reference does (not counted against the budget). */
async function signedIn(password = 'SecurePassword123@'): Promise<Conversation> {
  chat = await Conversation.open(endpoint);
  const login = await chat.signIn('login', { phone: PHONE, password });
  expect(login['success']).toBe(true);
  return chat;
}

type Item = Record<string, any>;

describe('B4B reference: chat example', () => {
  it('"list my recent invoices from the last 30 days": list_entities, then list_invoices over the last 30 days', async () => {
    const today = '2024-06-15';
    const { start, end } = lastDays(today, 30);
    const c = await signedIn();
    // The reference's example request, as the server's prompt recent_invoices gives it.
    expect(await c.prompt('recent_invoices')).toBe('List my recent invoices from the last 30 days');
    const entities = (await c.call('list_entities'))['items'] as Item[];
    // The user's own company. With several entities an assistant asks which one (no tool call) when unsure.
    const company = entities.find((e) => e['id'] === ENTITY_ID);
    expect(company?.['name']).toBe('Công ty Cổ phần Công nghệ Sao Việt');
    const page = await c.call('list_invoices', { entity_id: company!['id'], date_from: start, date_to: end });
    c.expectAnsweredWithin();
    const invoices = page['items'] as Item[];
    for (const invoice of invoices) expect(invoice['entity_id']).toBe(ENTITY_ID);
    const recent = invoices.filter((i) => i['issue_date'] >= start && i['issue_date'] <= end);
    expect(recent.map((i) => i['invoice_number'])).toEqual(['00000087']);
  });
});

describe('B4B reference: login → entities → statistics walk-through', () => {
  it('"invoice statistics of my company for 2024": list_entities, then get_invoice_statistics for 2024', async () => {
    const c = await signedIn();
    expect(await c.prompt('invoice_statistics', { year: '2024' })).toBe(
      'Show the invoice statistics of my company for 2024',
    );
    const entities = (await c.call('list_entities', { page: 1, per_page: 10 }))['items'] as Item[];
    const company = entities.find((e) => e['id'] === ENTITY_ID);
    expect(company).toBeDefined();
    const stats = await c.call('get_invoice_statistics', {
      entity_id: company!['id'],
      date_from: '2024-01-01',
      date_to: '2024-12-31',
    });
    c.expectAnsweredWithin();
    expect(stats).toMatchObject({ entity_id: ENTITY_ID, date_from: '2024-01-01', date_to: '2024-12-31' });
    expect(stats['total_amount'].currency).toBe('VND');
  });
});

describe('B4B reference: Testing the Connection', () => {
  it('login("+84909495665", "YourPassword123@") says whom it logged in as', async () => {
    chat = await Conversation.open(endpoint);
    const login = await chat.signIn('login', { phone: PHONE, password: 'YourPassword123@' });
    expect(login['success']).toBe(true);
    expect(login['message']).toBe(`Successfully logged in as ${login['email'] as string}`);
    expect(login['email']).toMatch(/@/);
  });

  it('whoami() returns the logged-in user', async () => {
    const c = await signedIn('YourPassword123@');
    const me = await c.call('whoami');
    c.expectAnsweredWithin(1);
    expect(me['user'].phone).toBe(PHONE);
    expect(me['user'].id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('list_entities(page=1, per_page=10) returns the first page of entities', async () => {
    const c = await signedIn('YourPassword123@');
    const page = await c.call('list_entities', { page: 1, per_page: 10 });
    c.expectAnsweredWithin(1);
    expect(page['page']).toBe(1);
    const items = page['items'] as Item[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(10);
    expect(page['total']).toBeGreaterThanOrEqual(items.length);
  });
});

describe('B4B reference: Authentication Flow', () => {
  it('step 1, login: success and the email logged in as', async () => {
    chat = await Conversation.open(endpoint);
    const login = await chat.signIn('login', { phone: PHONE, password: 'SecurePassword123@' });
    expect(login['success']).toBe(true);
    expect(login['email']).toBe('an.nguyen@b4b.example');
  });

  it("step 2, whoami: the current user's id", async () => {
    const c = await signedIn();
    const me = await c.call('whoami');
    c.expectAnsweredWithin(1);
    expect(me['user'].id).toBe('3f2b8c1e-7a4d-4e6b-9c2a-1d5e8f7a6b40');
    expect(me['user'].email).toBe('an.nguyen@b4b.example');
  });

  it('step 3, list_entities(search="Tech Corp"): the Tech entity', async () => {
    const c = await signedIn();
    const page = await c.call('list_entities', { search: 'Tech Corp' });
    c.expectAnsweredWithin(1);
    expect((page['items'] as Item[]).map((e) => e['name'])).toContain('Tech Innovations Inc');
  });

  it('step 4, logout: the session is logged out and tools ask to log in again', async () => {
    const c = await signedIn();
    const out = await c.call('logout');
    c.expectAnsweredWithin(1);
    expect(out['success']).toBe(true);
    // The test's own check, outside the budget: the same session's next call is refused with a hint to log in.
    const after = await c.check('whoami');
    expect(after.isError).toBe(true);
    expect(after.content[0]!.text).toMatch(/log ?in/i);
  });
});

describe('B4B reference: Entity Management', () => {
  it('list_entities(page=1, per_page=20, search="technology"): the technology companies', async () => {
    const c = await signedIn();
    const page = await c.call('list_entities', { page: 1, per_page: 20, search: 'technology' });
    c.expectAnsweredWithin(1);
    const names = (page['items'] as Item[]).map((e) => e['name'] as string);
    // "Công nghệ" is Vietnamese for technology.
    expect(names).toEqual(expect.arrayContaining(['Tech Innovations Inc', 'Công ty Cổ phần Công nghệ Sao Việt']));
  });

  it('get_entity("550e8400-…"): that entity with its legal details', async () => {
    const c = await signedIn();
    const entity = await c.call('get_entity', { entity_id: ENTITY_ID });
    c.expectAnsweredWithin(1);
    expect(entity).toMatchObject({
      id: ENTITY_ID,
      name: 'Công ty Cổ phần Công nghệ Sao Việt',
      entity_type: 'COMPANY',
      tax_code: '0312345678',
    });
  });

  it('create_entity(Tech Innovations Ltd, …): the new entity, with its id, as given', async () => {
    const c = await signedIn();
    const given = {
      name: 'Tech Innovations Ltd',
      entity_type: 'COMPANY',
      tax_code: '1234567890',
      address: '123 Tech Street',
      city: 'San Francisco',
      country: 'USA',
    };
    const entity = await c.call('create_entity', given);
    c.expectAnsweredWithin(1);
    expect(entity).toMatchObject(given);
    expect(entity['id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('update_entity(name="Tech Innovations Inc", address="456 Innovation Ave"): find it, then update it', async () => {
    const c = await signedIn();
    // The reference passes an id; a user names the entity, so the assistant looks it up first.
    const found = (await c.call('list_entities', { search: 'Tech Innovations' }))['items'] as Item[];
    const tech = found.find((e) => (e['name'] as string).startsWith('Tech Innovations'));
    expect(tech).toBeDefined();
    const updated = await c.call('update_entity', {
      entity_id: tech!['id'],
      name: 'Tech Innovations Inc',
      address: '456 Innovation Ave',
    });
    c.expectAnsweredWithin();
    expect(updated).toMatchObject({ id: tech!['id'], name: 'Tech Innovations Inc', address: '456 Innovation Ave' });
  });
});

describe('B4B reference: Invoice Management', () => {
  it('list_invoices(entity, 2024-01-01..2024-12-31, status=1 ACTIVE, page=1, per_page=50): the active invoices of 2024', async () => {
    const c = await signedIn();
    const page = await c.call('list_invoices', {
      entity_id: ENTITY_ID,
      date_from: '2024-01-01',
      date_to: '2024-12-31',
      status: 1,
      page: 1,
      per_page: 50,
    });
    c.expectAnsweredWithin(1);
    const invoices = page['items'] as Item[];
    for (const invoice of invoices) {
      expect(invoice['entity_id']).toBe(ENTITY_ID);
      expect(invoice['issue_date'] >= '2024-01-01' && invoice['issue_date'] <= '2024-12-31').toBe(true);
    }
    const active = invoices.filter((i) => i['status'] === 1);
    expect(active.map((i) => i['invoice_number'])).toEqual(['00000087', '00000123']);
    for (const invoice of active) expect(invoice['status_name']).toBe('ACTIVE');
  });

  it('get_invoice(entity, "invoice-uuid-here"): find the invoice, then its details with line items', async () => {
    const c = await signedIn();
    const invoices = (await c.call('list_invoices', { entity_id: ENTITY_ID }))['items'] as Item[];
    const wanted = invoices.find((i) => i['invoice_number'] === '00000123');
    expect(wanted).toBeDefined();
    const invoice = await c.call('get_invoice', { entity_id: ENTITY_ID, invoice_id: wanted!['id'] });
    c.expectAnsweredWithin();
    expect(invoice).toMatchObject({
      id: wanted!['id'],
      invoice_number: '00000123',
      total_amount: wanted!['total_amount'],
    });
    expect((invoice['line_items'] as Item[]).length).toBeGreaterThan(0);
    expect(invoice['vat_amount'].currency).toBe('VND');
  });

  it('import_invoice_xml(entity, <Invoice> INV-2024-001 …): the imported invoice, pending verification', async () => {
    const c = await signedIn();
    const xml = [
      '<?xml version="1.0"?>',
      '<Invoice>',
      '<InvoiceNumber>INV-2024-001</InvoiceNumber>',
      '<Date>2024-01-15</Date>',
      '<Total>1500.00</Total>',
      '</Invoice>',
    ].join('\n');
    const imported = await c.call('import_invoice_xml', { entity_id: ENTITY_ID, xml_content: xml });
    c.expectAnsweredWithin(1);
    expect(imported).toMatchObject({
      entity_id: ENTITY_ID,
      invoice_number: 'INV-2024-001',
      issue_date: '2024-01-15',
      total_amount: { amount: '1500.00' },
      status_name: 'PENDING',
    });
  });

  it('get_invoice_statistics(entity, 2024-01-01..2024-12-31): the statistics of that year', async () => {
    const c = await signedIn();
    const stats = await c.call('get_invoice_statistics', {
      entity_id: ENTITY_ID,
      date_from: '2024-01-01',
      date_to: '2024-12-31',
    });
    c.expectAnsweredWithin(1);
    expect(stats).toMatchObject({ entity_id: ENTITY_ID, date_from: '2024-01-01', date_to: '2024-12-31' });
    const byDirection = stats['by_direction'] as Item[];
    expect(byDirection.reduce((n, d) => n + (d['invoice_count'] as number), 0)).toBe(stats['invoice_count']);
    for (const month of stats['by_month'] as Item[]) expect(month['month']).toMatch(/^2024-/);
  });
});

describe('B4B reference: Vendor Management', () => {
  it('list_vendors(entity, search="supplies", page=1, per_page=20): the office-supplies vendor', async () => {
    const c = await signedIn();
    const page = await c.call('list_vendors', { entity_id: ENTITY_ID, search: 'supplies', page: 1, per_page: 20 });
    c.expectAnsweredWithin(1);
    const vendors = page['items'] as Item[];
    for (const vendor of vendors) expect(vendor['entity_id']).toBe(ENTITY_ID);
    // "Văn phòng phẩm" is Vietnamese for office supplies.
    expect(vendors.map((v) => v['name'])).toContain('Công ty TNHH Thiết bị và Văn phòng phẩm Minh Phát');
  });

  it('get_vendor(entity, "vendor-uuid-here"): find the vendor, then its details', async () => {
    const c = await signedIn();
    const vendors = (await c.call('list_vendors', { entity_id: ENTITY_ID, search: 'Minh Phát' }))['items'] as Item[];
    const wanted = vendors.find((v) => (v['name'] as string).includes('Minh Phát'));
    expect(wanted).toBeDefined();
    const vendor = await c.call('get_vendor', { entity_id: ENTITY_ID, vendor_id: wanted!['id'] });
    c.expectAnsweredWithin();
    expect(vendor).toMatchObject({ id: wanted!['id'], tax_code: '0101234567', contact_person: 'Phạm Quốc Minh' });
    expect(vendor['total_purchased']).toEqual({ amount: '56890000', currency: 'VND' });
  });
});

describe('B4B reference: Product Management', () => {
  it('list_products(entity, category="electronics", search="laptop", page=1, per_page=20): the electronics laptops', async () => {
    const c = await signedIn();
    const page = await c.call('list_products', {
      entity_id: ENTITY_ID,
      category: 'electronics',
      search: 'laptop',
      page: 1,
      per_page: 20,
    });
    c.expectAnsweredWithin(1);
    const products = page['items'] as Item[];
    for (const product of products) expect(product['category']).toBe('electronics');
    const laptops = products.filter((p) => /laptop/i.test(p['name'] as string));
    expect(laptops.map((p) => p['code'])).toEqual(['DELL-LAT5540-I7-16', 'HP-PB450G10-I5-16']);
  });

  it('search_similar_products(entity, "15-inch laptop with 16GB RAM", max_results=10): the closest products, best first', async () => {
    const c = await signedIn();
    const result: Data = await c.call('search_similar_products', {
      entity_id: ENTITY_ID,
      query: '15-inch laptop with 16GB RAM',
      max_results: 10,
    });
    c.expectAnsweredWithin(1);
    expect(result['query']).toBe('15-inch laptop with 16GB RAM');
    const matches = result['items'] as Item[];
    expect(matches.length).toBeGreaterThan(0);
    expect(matches.length).toBeLessThanOrEqual(10);
    const scores = matches.map((m) => m['similarity'] as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const match of matches) expect(match['product'].name).toMatch(/15\.6 inch.*16GB RAM/);
  });
});
