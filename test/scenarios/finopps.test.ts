/**
 * The "Example Conversations" of the FinOpps MCP connector reference (shared/reference/finopps-mcp-connector.txt),
 * one test each: the tool calls an assistant makes for the request, against `serve finopps --transport http
 * --sandbox` (Prism serving specs/finopps.yaml, the sandbox OAuth server) through the SDK client. Each must be
 * answered within two tool calls after sign-in (OAuth, as user alice of Acme Catering), and what comes back must
 * be what the user asked for.
 *
 * The sandbox answers every operation with the first example of specs/finopps.yaml: a snapshot of Acme Catering
 * in spring 2025. Requests with relative dates ("last month", "current") are therefore made on a date inside that
 * snapshot, given per conversation, as an assistant uses the date of the conversation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendLoaders } from '../../generated/index.gen.js';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { specScopes } from '../../src/auth/scopes.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { SANDBOX_ORGANISATIONS } from '../../src/overrides/finopps/organization.js';
import { Conversation, lastMonth, sumAmounts } from './conversation.js';

const ACME = SANDBOX_ORGANISATIONS[0]!;

let running: RunningServers;
let endpoint: string;
/** Alice's access token: signing in (the OAuth flow) happens once, before the conversations. */
let token: string;
let chat: Conversation;

beforeAll(async () => {
  const finopps = await backendLoaders['finopps']!();
  running = await startServers(
    ['finopps'],
    { transport: 'http', port: '0', sandbox: true },
    new Settings({ FINMCP_SANDBOX_AUTH_PORT: '0' }),
    createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  );
  endpoint = running.endpoints['finopps']!;
  token = await obtainSandboxToken({
    issuer: running.sandboxIssuer!,
    user: 'alice',
    resource: endpoint,
    scopes: specScopes(finopps),
  });
}, 120_000);

afterAll(async () => {
  await running?.close();
});

/** Each example request is its own conversation (a new MCP session). */
async function converse(): Promise<Conversation> {
  chat = await Conversation.open(endpoint, token);
  return chat;
}

describe('FinOpps connector "Example Conversations"', () => {
  afterEach(async () => {
    await chat?.close();
  });

  it('"Show me all overdue invoices": list_invoices(status=overdue), every overdue invoice and nothing else', async () => {
    const today = '2025-03-31';
    const c = await converse();
    // The reference's example request, as the server's prompt overdue_invoices gives it.
    expect(await c.prompt('overdue_invoices')).toBe('Show me all overdue invoices');
    const page = await c.call('list_invoices', { status: 'overdue' });
    c.expectAnsweredWithin();
    expect(page['nextCursor'], 'the whole list, no further page to fetch').toBeNull();
    const invoices = page['data'] as Array<Record<string, any>>;
    expect(invoices.map((i) => i['invoiceNumber'])).toEqual(['INV-1430', 'INV-1398']);
    for (const invoice of invoices) {
      expect(invoice['status']).toBe('overdue');
      expect(invoice['dueDate'] < today, `${invoice['invoiceNumber']} is past due`).toBe(true);
      expect(Number(invoice['balanceDue'].amount)).toBeGreaterThan(0);
    }
  });

  it('"What\'s my current accounts receivable balance?": get_financial_summary(), the outstanding total as of today', async () => {
    const today = '2025-03-31';
    const c = await converse();
    // The reference's example request, as the server's prompt receivables_balance gives it.
    expect(await c.prompt('receivables_balance')).toBe("What's my current accounts receivable balance?");
    const summary = await c.call('get_financial_summary');
    c.expectAnsweredWithin();
    // With no dates the period is the current month, and totalOutstanding is the balance at its end or today.
    expect(summary['isDefaultPeriod']).toBe(true);
    expect(summary['period'].startDate <= today && today <= summary['period'].endDate).toBe(true);
    expect(summary['totalOutstanding']).toEqual({ amount: '4768.34', currency: 'USD' });
    expect(summary['counts'].outstandingInvoices).toBe(3);
  });

  it('"Get the details for invoice #1429": one call, get_invoice with the number as the user wrote it', async () => {
    const c = await converse();
    // The reference's example request, as the server's prompt invoice_details gives it.
    expect(await c.prompt('invoice_details', { invoice_number: '1429' })).toBe('Get the details for invoice #1429');
    const invoice = await c.call('get_invoice', { invoiceId: '#1429' });
    c.expectAnsweredWithin(1);
    expect(invoice['invoiceNumber']).toBe('INV-1429');
    expect(invoice['customerName']).toBe('Dana Whitfield');
    // "Details": the line items, totals and payments that only get_invoice returns.
    expect(invoice['lineItems'].map((l: Record<string, unknown>) => l['itemName'])).toEqual([
      'Corporate lunch buffet',
      'Coffee and tea service',
      'On-site server',
    ]);
    expect(sumAmounts(invoice['lineItems'].map((l: Record<string, any>) => l['lineTotal'].amount))).toBe(
      invoice['totals'].subtotal.amount,
    );
    expect(sumAmounts(invoice['payments'].map((p: Record<string, any>) => p['amount'].amount))).toBe(
      invoice['paid'].amount,
    );
    expect(invoice['balanceDue']).toEqual({ amount: '715.84', currency: 'USD' });
  });

  it.each(['1429', 'INV-1429', 'inv-1429'])('"invoice %s" is the same invoice, in one call', async (spelling) => {
    const c = await converse();
    const invoice = await c.call('get_invoice', { invoiceId: spelling });
    c.expectAnsweredWithin(1);
    expect(invoice['invoiceNumber']).toBe('INV-1429');
  });

  it('an invoice named neither by id nor by number gets an error naming the field and both accepted forms', async () => {
    const c = await converse();
    const bad = await c.check('get_invoice', { invoiceId: 'invoice 1429' });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toContain('invoiceId: must be a valid uuid, or must match pattern');
    expect((await c.check('get_invoice', { invoiceId: '1429' })).isError).not.toBe(true);
  });

  it('"List expenses from last month": list_expenses over the previous calendar month, every expense in it', async () => {
    const today = '2025-04-10';
    const { start, end } = lastMonth(today);
    expect({ start, end }).toEqual({ start: '2025-03-01', end: '2025-03-31' });
    const c = await converse();
    // The reference's example request, as the server's prompt expenses_in_period gives it.
    expect(await c.prompt('expenses_in_period')).toBe('List expenses from last month');
    const page = await c.call('list_expenses', { startDate: start, endDate: end });
    c.expectAnsweredWithin();
    expect(page['nextCursor']).toBeNull();
    const expenses = page['data'] as Array<Record<string, any>>;
    expect(expenses.length).toBeGreaterThan(0);
    for (const expense of expenses) {
      expect(expense['date'] >= start && expense['date'] <= end, `${expense['vendorName']} on ${expense['date']}`).toBe(
        true,
      );
      expect(expense['amount'].currency).toBe('USD');
    }
  });

  it('"Search for customer Acme Corp": search_customers(query), the customers of that company', async () => {
    const c = await converse();
    // The reference's example request, as the server's prompt find_customer gives it.
    expect(await c.prompt('find_customer', { customer: 'Acme Corp' })).toBe('Search for customer Acme Corp');
    const result = await c.call('search_customers', { query: 'Acme Corp' });
    c.expectAnsweredWithin();
    const customers = result['data'] as Array<Record<string, any>>;
    expect(customers.length).toBeGreaterThan(0);
    for (const customer of customers) expect(customer['organization']).toBe('Acme Corp');
    expect(customers.map((x) => x['email'])).toContain('dana.whitfield@acmecorp.example');
  });

  it('"Generate a payments report for Q1 2025": payments_report(2025-01-01..2025-03-31), the totals for Q1 2025', async () => {
    const c = await converse();
    // The reference's example request, as the server's prompt payments_report gives it.
    expect(await c.prompt('payments_report', { period: 'Q1 2025' })).toBe('Generate a payments report for Q1 2025');
    const report = await c.call('payments_report', { startDate: '2025-01-01', endDate: '2025-03-31' });
    c.expectAnsweredWithin();
    expect(report['period']).toEqual({ startDate: '2025-01-01', endDate: '2025-03-31' });
    const payments = report['payments'] as Array<Record<string, any>>;
    for (const payment of payments) {
      expect(payment['paymentDate'] >= '2025-01-01' && payment['paymentDate'] <= '2025-03-31').toBe(true);
      expect(payment['invoiceNumber']).toMatch(/^INV-\d+$/);
    }
    expect(report['count']).toBe(payments.length);
    expect(report['total']).toEqual({ amount: sumAmounts(payments.map((p) => p['amount'].amount)), currency: 'USD' });
    expect(report['total']).toEqual({ amount: '1686.00', currency: 'USD' });
  });

  it('"What\'s my business profile?": get_business(), the signed-in user\'s own organisation', async () => {
    const c = await converse();
    // The reference's example request, as the server's prompt business_profile gives it.
    expect(await c.prompt('business_profile')).toBe("What's my business profile?");
    const business = await c.call('get_business');
    c.expectAnsweredWithin();
    expect(business['organizationId']).toBe(ACME.id);
    expect(business['name']).toBe(ACME.name);
    expect(business['contact'].email).toEqual(expect.any(String));
    expect(business['taxRate']).toBe('8.25');
  });
});
