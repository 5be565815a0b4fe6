/**
 * Code mode's task set (issue 24): realistic multi-step finance questions over the two shipped backends, and a few
 * over GitHub's published REST description (generated in a scratch folder, github-backend.ts), each
 * answered twice — by a reference program that `run_code` runs in one call, and by the tool calls an assistant
 * makes one at a time with the arithmetic done on their results (`perTool`). The test suite checks that both give
 * the same answer against the sandbox backends (Prism serving the specs' examples); the bench counts the calls and
 * bytes each mode needs. Test kit, not runtime: the backends are named here as in their tests.
 */

/** Calls one tool and resolves to its structured result (throws on a tool error). */
export type ToolCaller = (name: string, args?: Record<string, unknown>) => Promise<any>;

/** One question. */
export interface CodeTask {
  id: string;
  backend: 'finopps' | 'b4b' | 'github';
  question: string;
  /** The operations the program uses (what a model would look up with search_api first). */
  uses: readonly string[];
  /** The program `run_code` runs (TypeScript, the body of an async function). */
  program: string;
  /** The same answer from per-tool calls. */
  perTool(call: ToolCaller): Promise<unknown>;
}

/** The B4B entity the sandbox examples are about. */
const B4B_ENTITY = '550e8400-e29b-41d4-a716-446655440000';

const cents = (n: number): number => Math.round(n * 100) / 100;
const amount = (money: { amount: string }): number => Number(money.amount);

/** Adds `value` to `key`'s running total. */
function add(totals: Record<string, number>, key: string, value: number): void {
  totals[key] = cents((totals[key] ?? 0) + value);
}

/** The repository the GitHub questions are about (the description's examples are octocat's Hello-World). */
const GITHUB_REPO = { owner: 'octocat', repo: 'Hello-World' };

const OPEN_STATUSES = ['sent', 'viewed', 'partially_paid', 'overdue'] as const;

export const CODE_TASKS: readonly CodeTask[] = [
  {
    id: 'finopps-overdue-total',
    backend: 'finopps',
    question: 'How much is overdue in total, and on how many invoices?',
    uses: ['list_invoices'],
    program: `const page = await api.list_invoices({ status: 'overdue', limit: 100 });
const total = page.data.reduce((sum, inv) => sum + Number(inv.balanceDue.amount), 0);
return { count: page.data.length, total: Math.round(total * 100) / 100 };`,
    async perTool(call) {
      const page = await call('list_invoices', { status: 'overdue', limit: 100 });
      return {
        count: page.data.length,
        total: cents(page.data.reduce((s: number, i: any) => s + amount(i.balanceDue), 0)),
      };
    },
  },
  {
    id: 'finopps-overdue-by-customer',
    backend: 'finopps',
    question: 'Which customers owe overdue money, and how much each?',
    uses: ['list_invoices'],
    program: `const page = await api.list_invoices({ status: 'overdue', limit: 100 });
const byCustomer: Record<string, number> = {};
for (const inv of page.data) byCustomer[inv.customerName] = Math.round(((byCustomer[inv.customerName] ?? 0) + Number(inv.balanceDue.amount)) * 100) / 100;
return byCustomer;`,
    async perTool(call) {
      const page = await call('list_invoices', { status: 'overdue', limit: 100 });
      const out: Record<string, number> = {};
      for (const inv of page.data) add(out, inv.customerName, amount(inv.balanceDue));
      return out;
    },
  },
  {
    id: 'finopps-outstanding-by-customer',
    backend: 'finopps',
    question: 'Total outstanding by customer, across every open status (sent, viewed, partially paid, overdue)',
    uses: ['list_invoices'],
    program: `const byCustomer: Record<string, number> = {};
for (const status of ['sent', 'viewed', 'partially_paid', 'overdue'] as const) {
  const page = await api.list_invoices({ status, limit: 100 });
  for (const inv of page.data) byCustomer[inv.customerName] = Math.round(((byCustomer[inv.customerName] ?? 0) + Number(inv.balanceDue.amount)) * 100) / 100;
}
return byCustomer;`,
    async perTool(call) {
      const out: Record<string, number> = {};
      for (const status of OPEN_STATUSES) {
        const page = await call('list_invoices', { status, limit: 100 });
        for (const inv of page.data) add(out, inv.customerName, amount(inv.balanceDue));
      }
      return out;
    },
  },
  {
    id: 'finopps-overdue-unpaid',
    backend: 'finopps',
    question: 'Overdue invoices with no payment received yet',
    uses: ['list_invoices', 'get_invoice'],
    program: `const page = await api.list_invoices({ status: 'overdue', limit: 100 });
const unpaid: string[] = [];
for (const summary of page.data) {
  const invoice = await api.get_invoice({ invoiceId: summary.id });
  if (invoice.payments.length === 0) unpaid.push(summary.invoiceNumber);
}
return { overdue: page.data.length, unpaid };`,
    async perTool(call) {
      const page = await call('list_invoices', { status: 'overdue', limit: 100 });
      const unpaid: string[] = [];
      for (const summary of page.data) {
        const invoice = await call('get_invoice', { invoiceId: summary.id });
        if (invoice.payments.length === 0) unpaid.push(summary.invoiceNumber);
      }
      return { overdue: page.data.length, unpaid };
    },
  },
  {
    id: 'finopps-expenses-by-category',
    backend: 'finopps',
    question: 'Expenses this quarter by category, largest first',
    uses: ['list_expenses'],
    program: `const page = await api.list_expenses({ startDate: '2025-01-01', endDate: '2025-03-31', limit: 100 });
const totals: Record<string, number> = {};
for (const e of page.data) totals[e.category] = Math.round(((totals[e.category] ?? 0) + Number(e.amount.amount)) * 100) / 100;
return Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([category, total]) => ({ category, total }));`,
    async perTool(call) {
      const page = await call('list_expenses', { startDate: '2025-01-01', endDate: '2025-03-31', limit: 100 });
      const totals: Record<string, number> = {};
      for (const e of page.data) add(totals, e.category, amount(e.amount));
      return Object.entries(totals)
        .sort((a, b) => b[1] - a[1])
        .map(([category, total]) => ({ category, total }));
    },
  },
  {
    id: 'finopps-top-vendor',
    backend: 'finopps',
    question: 'Which vendor did we spend the most with this quarter, and what share of all expenses is that?',
    uses: ['list_expenses'],
    program: `const page = await api.list_expenses({ startDate: '2025-01-01', endDate: '2025-03-31', limit: 100 });
const byVendor = new Map<string, number>();
let all = 0;
for (const e of page.data) { const n = Number(e.amount.amount); all += n; byVendor.set(e.vendorName, (byVendor.get(e.vendorName) ?? 0) + n); }
const [vendor, spent] = [...byVendor.entries()].sort((a, b) => b[1] - a[1])[0];
return { vendor, spent: Math.round(spent * 100) / 100, sharePercent: Math.round((spent / all) * 1000) / 10 };`,
    async perTool(call) {
      const page = await call('list_expenses', { startDate: '2025-01-01', endDate: '2025-03-31', limit: 100 });
      const byVendor: Record<string, number> = {};
      let all = 0;
      for (const e of page.data) {
        all += amount(e.amount);
        byVendor[e.vendorName] = (byVendor[e.vendorName] ?? 0) + amount(e.amount);
      }
      const [vendor, spent] = Object.entries(byVendor).sort((a, b) => b[1] - a[1])[0]!;
      return { vendor, spent: cents(spent), sharePercent: Math.round((spent / all) * 1000) / 10 };
    },
  },
  {
    id: 'finopps-net-income',
    backend: 'finopps',
    question: 'What is the net (income minus expenses) for March 2025, and what share of outstanding money is overdue?',
    uses: ['get_financial_summary'],
    program: `const s = await api.get_financial_summary({ startDate: '2025-03-01', endDate: '2025-03-31' });
const net = Number(s.totalIncome.amount) - Number(s.totalExpenses.amount);
return { currency: s.currency, net: Math.round(net * 100) / 100, overdueSharePercent: Math.round((Number(s.totalOverdue.amount) / Number(s.totalOutstanding.amount)) * 1000) / 10 };`,
    async perTool(call) {
      const s = await call('get_financial_summary', { startDate: '2025-03-01', endDate: '2025-03-31' });
      return {
        currency: s.currency,
        net: cents(amount(s.totalIncome) - amount(s.totalExpenses)),
        overdueSharePercent: Math.round((amount(s.totalOverdue) / amount(s.totalOutstanding)) * 1000) / 10,
      };
    },
  },
  {
    id: 'finopps-payments-by-method',
    backend: 'finopps',
    question: 'Payments received in the first quarter, by payment method',
    uses: ['payments_report'],
    program: `const r = await api.payments_report({ startDate: '2025-01-01', endDate: '2025-03-31' });
const byType: Record<string, number> = {};
for (const p of r.payments) byType[p.paymentType] = Math.round(((byType[p.paymentType] ?? 0) + Number(p.amount.amount)) * 100) / 100;
return byType;`,
    async perTool(call) {
      const r = await call('payments_report', { startDate: '2025-01-01', endDate: '2025-03-31' });
      const out: Record<string, number> = {};
      for (const p of r.payments) add(out, p.paymentType, amount(p.amount));
      return out;
    },
  },
  {
    id: 'finopps-income-reconciles',
    backend: 'finopps',
    question: 'Does the payments report for March agree with the income in the financial summary?',
    uses: ['payments_report', 'get_financial_summary'],
    program: `const [report, summary] = await Promise.all([
  api.payments_report({ startDate: '2025-03-01', endDate: '2025-03-31' }),
  api.get_financial_summary({ startDate: '2025-03-01', endDate: '2025-03-31' }),
]);
const paid = report.payments.reduce((s, p) => s + Number(p.amount.amount), 0);
return { payments: Math.round(paid * 100) / 100, income: Number(summary.totalIncome.amount), agrees: Math.abs(paid - Number(summary.totalIncome.amount)) < 0.005 };`,
    async perTool(call) {
      const report = await call('payments_report', { startDate: '2025-03-01', endDate: '2025-03-31' });
      const summary = await call('get_financial_summary', { startDate: '2025-03-01', endDate: '2025-03-31' });
      const paid = report.payments.reduce((s: number, p: any) => s + amount(p.amount), 0);
      return {
        payments: cents(paid),
        income: amount(summary.totalIncome),
        agrees: Math.abs(paid - amount(summary.totalIncome)) < 0.005,
      };
    },
  },
  {
    id: 'finopps-invoice-biggest-line',
    backend: 'finopps',
    question: 'On invoice INV-1429, which line is the largest share of the subtotal, and how much is still due?',
    uses: ['get_invoice'],
    program: `const inv = await api.get_invoice({ invoiceId: 'INV-1429' });
const subtotal = Number(inv.totals.subtotal.amount);
const top = [...inv.lineItems].sort((a, b) => Number(b.lineTotal.amount) - Number(a.lineTotal.amount))[0];
return { item: top.itemName, sharePercent: Math.round((Number(top.lineTotal.amount) / subtotal) * 1000) / 10, balanceDue: inv.balanceDue.amount };`,
    async perTool(call) {
      const inv = await call('get_invoice', { invoiceId: 'INV-1429' });
      const top = [...inv.lineItems].sort((a: any, b: any) => amount(b.lineTotal) - amount(a.lineTotal))[0];
      return {
        item: top.itemName,
        sharePercent: Math.round((amount(top.lineTotal) / amount(inv.totals.subtotal)) * 1000) / 10,
        balanceDue: inv.balanceDue.amount,
      };
    },
  },
  {
    id: 'finopps-overdue-contacts',
    backend: 'finopps',
    question: 'E-mail addresses of the customers with overdue invoices, to send reminders',
    uses: ['list_invoices', 'search_customers'],
    program: `const page = await api.list_invoices({ status: 'overdue', limit: 100 });
const names = [...new Set(page.data.map((inv) => inv.customerName))];
const contacts: Record<string, string | null> = {};
for (const name of names) {
  const found = await api.search_customers({ query: name, limit: 5 });
  const match = found.data.find((c) => c.name === name);
  contacts[name] = match?.email ?? null;
}
return contacts;`,
    async perTool(call) {
      const page = await call('list_invoices', { status: 'overdue', limit: 100 });
      const names = [...new Set<string>(page.data.map((inv: any) => inv.customerName))];
      const contacts: Record<string, string | null> = {};
      for (const name of names) {
        const found = await call('search_customers', { query: name, limit: 5 });
        contacts[name] = found.data.find((c: any) => c.name === name)?.email ?? null;
      }
      return contacts;
    },
  },
  {
    id: 'finopps-tax-rate-check',
    backend: 'finopps',
    question: "Was INV-1429 taxed at the business's own tax rate, and is its tax amount right?",
    uses: ['get_business', 'get_invoice'],
    program: `const business = await api.get_business();
const inv = await api.get_invoice({ invoiceId: 'INV-1429' });
const expected = Math.round(Number(inv.totals.subtotal.amount) * Number(business.taxRate)) / 100;
return { businessRate: business.taxRate, invoiceRate: inv.totals.taxRate, sameRate: Number(business.taxRate) === Number(inv.totals.taxRate), expectedTax: expected, invoiceTax: Number(inv.totals.tax.amount) };`,
    async perTool(call) {
      const business = await call('get_business');
      const inv = await call('get_invoice', { invoiceId: 'INV-1429' });
      return {
        businessRate: business.taxRate,
        invoiceRate: inv.totals.taxRate,
        sameRate: Number(business.taxRate) === Number(inv.totals.taxRate),
        expectedTax: Math.round(amount(inv.totals.subtotal) * Number(business.taxRate)) / 100,
        invoiceTax: amount(inv.totals.tax),
      };
    },
  },
  {
    id: 'b4b-entities-by-type',
    backend: 'b4b',
    question: 'How many business entities do I have, by legal form and by country?',
    uses: ['list_entities'],
    program: `const page = await api.list_entities({ per_page: 100 });
const byType: Record<string, number> = {};
const byCountry: Record<string, number> = {};
for (const e of page.items) { byType[e.entity_type] = (byType[e.entity_type] ?? 0) + 1; byCountry[e.country] = (byCountry[e.country] ?? 0) + 1; }
return { total: page.total, byType, byCountry };`,
    async perTool(call) {
      const page = await call('list_entities', { per_page: 100 });
      const byType: Record<string, number> = {};
      const byCountry: Record<string, number> = {};
      for (const e of page.items) {
        byType[e.entity_type] = (byType[e.entity_type] ?? 0) + 1;
        byCountry[e.country] = (byCountry[e.country] ?? 0) + 1;
      }
      return { total: page.total, byType, byCountry };
    },
  },
  {
    id: 'b4b-sales-vs-purchases',
    backend: 'b4b',
    question: 'Sales against purchases for Sao Viet in 2024, from its invoices',
    uses: ['list_entities', 'list_invoices'],
    program: `const entities = await api.list_entities({ search: 'sao viet', per_page: 100 });
const company = entities.items.find((e) => e.entity_type === 'COMPANY');
const invoices = await api.list_invoices({ entity_id: company.id, date_from: '2024-01-01', date_to: '2024-12-31', per_page: 100 });
const totals: Record<string, number> = { SALE: 0, PURCHASE: 0 };
for (const inv of invoices.items) totals[inv.direction] += Number(inv.total_amount.amount);
return { entity: company.name, ...totals, balance: totals.SALE - totals.PURCHASE };`,
    async perTool(call) {
      const entities = await call('list_entities', { search: 'sao viet', per_page: 100 });
      const company = entities.items.find((e: any) => e.entity_type === 'COMPANY');
      const invoices = await call('list_invoices', {
        entity_id: company.id,
        date_from: '2024-01-01',
        date_to: '2024-12-31',
        per_page: 100,
      });
      const totals: Record<string, number> = { SALE: 0, PURCHASE: 0 };
      for (const inv of invoices.items) totals[inv.direction] = (totals[inv.direction] ?? 0) + amount(inv.total_amount);
      return { entity: company.name, ...totals, balance: totals['SALE']! - totals['PURCHASE']! };
    },
  },
  {
    id: 'b4b-statistics-agree',
    backend: 'b4b',
    question: 'Do the 2024 invoice statistics agree with the invoice list (count and totals per direction)?',
    uses: ['get_invoice_statistics', 'list_invoices'],
    program: `const entity_id = '${B4B_ENTITY}';
const stats = await api.get_invoice_statistics({ entity_id, date_from: '2024-01-01', date_to: '2024-12-31' });
const list = await api.list_invoices({ entity_id, date_from: '2024-01-01', date_to: '2024-12-31', per_page: 100 });
const listed: Record<string, number> = {};
for (const inv of list.items) listed[inv.direction] = (listed[inv.direction] ?? 0) + Number(inv.total_amount.amount);
const rows: Array<{ direction: string; statistics: number; invoices: number; agree: boolean }> = stats.by_direction.map((d) => ({ direction: d.direction, statistics: Number(d.total_amount.amount), invoices: listed[d.direction] ?? 0, agree: Number(d.total_amount.amount) === (listed[d.direction] ?? 0) }));
rows.push({ direction: 'ALL', statistics: stats.invoice_count, invoices: list.total, agree: stats.invoice_count === list.total });
return rows;`,
    async perTool(call) {
      const stats = await call('get_invoice_statistics', {
        entity_id: B4B_ENTITY,
        date_from: '2024-01-01',
        date_to: '2024-12-31',
      });
      const list = await call('list_invoices', {
        entity_id: B4B_ENTITY,
        date_from: '2024-01-01',
        date_to: '2024-12-31',
        per_page: 100,
      });
      const listed: Record<string, number> = {};
      for (const inv of list.items) listed[inv.direction] = (listed[inv.direction] ?? 0) + amount(inv.total_amount);
      return [
        ...stats.by_direction.map((d: any) => ({
          direction: d.direction,
          statistics: amount(d.total_amount),
          invoices: listed[d.direction] ?? 0,
          agree: amount(d.total_amount) === (listed[d.direction] ?? 0),
        })),
        {
          direction: 'ALL',
          statistics: stats.invoice_count,
          invoices: list.total,
          agree: stats.invoice_count === list.total,
        },
      ];
    },
  },
  {
    id: 'b4b-top-vendor',
    backend: 'b4b',
    question: 'Which vendor have we bought the most from, and who is the contact there?',
    uses: ['list_vendors'],
    program: `const vendors = await api.list_vendors({ entity_id: '${B4B_ENTITY}', per_page: 100 });
const top = [...vendors.items].sort((a, b) => Number(b.total_purchased.amount) - Number(a.total_purchased.amount))[0];
return { vendor: top.name, purchased: Number(top.total_purchased.amount), contact: top.contact_person, email: top.email };`,
    async perTool(call) {
      const vendors = await call('list_vendors', { entity_id: B4B_ENTITY, per_page: 100 });
      const top = [...vendors.items].sort((a: any, b: any) => amount(b.total_purchased) - amount(a.total_purchased))[0];
      return {
        vendor: top.name,
        purchased: amount(top.total_purchased),
        contact: top.contact_person,
        email: top.email,
      };
    },
  },
  {
    id: 'b4b-purchase-vendors',
    backend: 'b4b',
    question: "For each purchase invoice of 2024, the vendor's name and phone",
    uses: ['list_invoices', 'get_invoice', 'get_vendor'],
    program: `const entity_id = '${B4B_ENTITY}';
const list = await api.list_invoices({ entity_id, date_from: '2024-01-01', date_to: '2024-12-31', per_page: 100 });
const out: Array<{ invoice: string; vendor: string | null; phone: string | null }> = [];
for (const inv of list.items.filter((i) => i.direction === 'PURCHASE')) {
  const full = await api.get_invoice({ entity_id, invoice_id: inv.id });
  const vendor = full.vendor_id ? await api.get_vendor({ entity_id, vendor_id: full.vendor_id }) : null;
  out.push({ invoice: inv.invoice_number, vendor: vendor?.name ?? null, phone: vendor?.phone ?? null });
}
return out;`,
    async perTool(call) {
      const list = await call('list_invoices', {
        entity_id: B4B_ENTITY,
        date_from: '2024-01-01',
        date_to: '2024-12-31',
        per_page: 100,
      });
      const out: Array<{ invoice: string; vendor: string | null; phone: string | null }> = [];
      for (const inv of list.items.filter((i: any) => i.direction === 'PURCHASE')) {
        const full = await call('get_invoice', { entity_id: B4B_ENTITY, invoice_id: inv.id });
        const vendor = full.vendor_id
          ? await call('get_vendor', { entity_id: B4B_ENTITY, vendor_id: full.vendor_id })
          : null;
        out.push({ invoice: inv.invoice_number, vendor: vendor?.name ?? null, phone: vendor?.phone ?? null });
      }
      return out;
    },
  },
  {
    id: 'b4b-products-by-vendor',
    backend: 'b4b',
    question: 'Our products grouped by the vendor that supplies them, with the dearest product of each',
    uses: ['list_products', 'list_vendors'],
    program: `const entity_id = '${B4B_ENTITY}';
const [products, vendors] = await Promise.all([api.list_products({ entity_id, per_page: 100 }), api.list_vendors({ entity_id, per_page: 100 })]);
const names = new Map(vendors.items.map((v) => [v.id, v.name]));
const groups: Record<string, { count: number; dearest: string; price: number }> = {};
for (const p of products.items) {
  const vendor = names.get(p.vendor_id ?? '') ?? 'unknown vendor';
  const price = Number(p.unit_price.amount);
  const g = groups[vendor] ?? { count: 0, dearest: p.name, price };
  g.count++;
  if (price > g.price) { g.dearest = p.name; g.price = price; }
  groups[vendor] = g;
}
return groups;`,
    async perTool(call) {
      const products = await call('list_products', { entity_id: B4B_ENTITY, per_page: 100 });
      const vendors = await call('list_vendors', { entity_id: B4B_ENTITY, per_page: 100 });
      const names = new Map<string, string>(vendors.items.map((v: any) => [v.id, v.name]));
      const groups: Record<string, { count: number; dearest: string; price: number }> = {};
      for (const p of products.items) {
        const vendor = names.get(p.vendor_id ?? '') ?? 'unknown vendor';
        const price = amount(p.unit_price);
        const g = groups[vendor] ?? { count: 0, dearest: p.name, price };
        g.count++;
        if (price > g.price) {
          g.dearest = p.name;
          g.price = price;
        }
        groups[vendor] = g;
      }
      return groups;
    },
  },
  {
    id: 'b4b-vat-by-rate',
    backend: 'b4b',
    question: 'VAT paid on 2024 purchases, by VAT rate, from the invoice lines',
    uses: ['list_invoices', 'get_invoice'],
    program: `const entity_id = '${B4B_ENTITY}';
const list = await api.list_invoices({ entity_id, date_from: '2024-01-01', date_to: '2024-12-31', per_page: 100 });
const byRate: Record<string, number> = {};
for (const inv of list.items.filter((i) => i.direction === 'PURCHASE')) {
  const full = await api.get_invoice({ entity_id, invoice_id: inv.id });
  for (const line of full.line_items) byRate[line.vat_rate ?? 'none'] = (byRate[line.vat_rate ?? 'none'] ?? 0) + Number(line.vat_amount?.amount ?? 0);
}
return byRate;`,
    async perTool(call) {
      const list = await call('list_invoices', {
        entity_id: B4B_ENTITY,
        date_from: '2024-01-01',
        date_to: '2024-12-31',
        per_page: 100,
      });
      const byRate: Record<string, number> = {};
      for (const inv of list.items.filter((i: any) => i.direction === 'PURCHASE')) {
        const full = await call('get_invoice', { entity_id: B4B_ENTITY, invoice_id: inv.id });
        for (const line of full.line_items)
          byRate[line.vat_rate ?? 'none'] =
            (byRate[line.vat_rate ?? 'none'] ?? 0) + Number(line.vat_amount?.amount ?? 0);
      }
      return byRate;
    },
  },
  {
    id: 'b4b-busiest-month',
    backend: 'b4b',
    question: 'In which month of 2024 did we invoice the most, and how much was that of the year?',
    uses: ['get_invoice_statistics'],
    program: `const stats = await api.get_invoice_statistics({ entity_id: '${B4B_ENTITY}', date_from: '2024-01-01', date_to: '2024-12-31' });
const top = [...stats.by_month].sort((a, b) => Number(b.total_amount.amount) - Number(a.total_amount.amount))[0];
return { month: top.month, total: Number(top.total_amount.amount), sharePercent: Math.round((Number(top.total_amount.amount) / Number(stats.total_amount.amount)) * 1000) / 10 };`,
    async perTool(call) {
      const stats = await call('get_invoice_statistics', {
        entity_id: B4B_ENTITY,
        date_from: '2024-01-01',
        date_to: '2024-12-31',
      });
      const top = [...stats.by_month].sort((a: any, b: any) => amount(b.total_amount) - amount(a.total_amount))[0];
      return {
        month: top.month,
        total: amount(top.total_amount),
        sharePercent: Math.round((amount(top.total_amount) / amount(stats.total_amount)) * 1000) / 10,
      };
    },
  },
  {
    id: 'b4b-pending-invoices',
    backend: 'b4b',
    question: 'Which invoices are still pending (not yet validated), and for how much?',
    uses: ['list_invoices'],
    program: `const list = await api.list_invoices({ entity_id: '${B4B_ENTITY}', status: 0, per_page: 100 });
const pending = list.items.filter((i) => i.status === 0);
return { count: pending.length, invoices: pending.map((i) => ({ number: i.invoice_number, amount: Number(i.total_amount.amount), issued: i.issue_date })) };`,
    async perTool(call) {
      const list = await call('list_invoices', { entity_id: B4B_ENTITY, status: 0, per_page: 100 });
      const pending = list.items.filter((i: any) => i.status === 0);
      return {
        count: pending.length,
        invoices: pending.map((i: any) => ({
          number: i.invoice_number,
          amount: amount(i.total_amount),
          issued: i.issue_date,
        })),
      };
    },
  },
  {
    id: 'b4b-cheapest-similar',
    backend: 'b4b',
    question: 'Among products like a 15-inch laptop with 16 GB RAM, which close match (similarity ≥ 0.85) is cheapest?',
    uses: ['search_similar_products'],
    program: `const found = await api.search_similar_products({ entity_id: '${B4B_ENTITY}', query: '15-inch laptop with 16GB RAM', max_results: 10 });
const close = found.items.filter((m) => m.similarity >= 0.85).sort((a, b) => Number(a.product.unit_price.amount) - Number(b.product.unit_price.amount));
return close.length === 0 ? null : { product: close[0].product.name, price: Number(close[0].product.unit_price.amount), candidates: close.length };`,
    async perTool(call) {
      const found = await call('search_similar_products', {
        entity_id: B4B_ENTITY,
        query: '15-inch laptop with 16GB RAM',
        max_results: 10,
      });
      const close = found.items
        .filter((m: any) => m.similarity >= 0.85)
        .sort((a: any, b: any) => amount(a.product.unit_price) - amount(b.product.unit_price));
      return close.length === 0
        ? null
        : { product: close[0].product.name, price: amount(close[0].product.unit_price), candidates: close.length };
    },
  },
  {
    id: 'b4b-totals-per-entity',
    backend: 'b4b',
    question: 'Invoice count and total for 2024 for each of my entities',
    uses: ['list_entities', 'get_invoice_statistics'],
    program: `const entities = await api.list_entities({ per_page: 100 });
const out: Array<{ entity: string; invoices: number; total: number }> = [];
for (const e of entities.items) {
  const s = await api.get_invoice_statistics({ entity_id: e.id, date_from: '2024-01-01', date_to: '2024-12-31' });
  out.push({ entity: e.name, invoices: s.invoice_count, total: Number(s.total_amount.amount) });
}
return out;`,
    async perTool(call) {
      const entities = await call('list_entities', { per_page: 100 });
      const out: Array<{ entity: string; invoices: number; total: number }> = [];
      for (const e of entities.items) {
        const s = await call('get_invoice_statistics', {
          entity_id: e.id,
          date_from: '2024-01-01',
          date_to: '2024-12-31',
        });
        out.push({ entity: e.name, invoices: s.invoice_count, total: amount(s.total_amount) });
      }
      return out;
    },
  },
  // GitHub: the mock serves the description's static examples (Prism without `dynamic`, i.e. `Prefer: dynamic=false`),
  // so every answer below is fixed; questions were picked whose operations have a `default` example. Operation names
  // with hyphens are called as `api['name']`, as search_api declares them.
  {
    id: 'github-release-downloads',
    backend: 'github',
    question:
      'How many downloads did the assets of each release of octocat/Hello-World get in all, and which release leads?',
    uses: ['repos_list-releases', 'repos_list-release-assets'],
    program: `const repo = { owner: 'octocat', repo: 'Hello-World' };
const releases = await api['repos_list-releases']({ ...repo, per_page: 100 });
const downloads: Record<string, number> = {};
for (const release of releases.items) {
  const assets = await api['repos_list-release-assets']({ ...repo, release_id: release.id, per_page: 100 });
  downloads[release.tag_name] = assets.items.reduce((sum, asset) => sum + asset.download_count, 0);
}
const lead = Object.entries(downloads).sort((a, b) => b[1] - a[1])[0];
return { downloads, lead: lead === undefined ? null : lead[0] };`,
    async perTool(call) {
      const releases = await call('repos_list-releases', { ...GITHUB_REPO, per_page: 100 });
      const downloads: Record<string, number> = {};
      for (const release of releases.items) {
        const assets = await call('repos_list-release-assets', {
          ...GITHUB_REPO,
          release_id: release.id,
          per_page: 100,
        });
        downloads[release.tag_name] = assets.items.reduce((sum: number, a: any) => sum + a.download_count, 0);
      }
      const lead = Object.entries(downloads).sort((a, b) => b[1] - a[1])[0];
      return { downloads, lead: lead === undefined ? null : lead[0] };
    },
  },
  {
    id: 'github-open-pull-review-load',
    backend: 'github',
    question:
      'For each open pull request of octocat/Hello-World: how many reviewers (people and teams) are requested, and how many lines does it change?',
    uses: ['pulls_list', 'pulls_list-requested-reviewers', 'pulls_list-files'],
    program: `const repo = { owner: 'octocat', repo: 'Hello-World' };
const pulls = await api.pulls_list({ ...repo, state: 'open', per_page: 100 });
const out: Array<{ number: number; title: string; reviewers: number; linesChanged: number }> = [];
for (const pull of pulls.items) {
  const requested = await api['pulls_list-requested-reviewers']({ ...repo, pull_number: pull.number });
  const files = await api['pulls_list-files']({ ...repo, pull_number: pull.number, per_page: 100 });
  out.push({
    number: pull.number,
    title: pull.title,
    reviewers: requested.users.length + requested.teams.length,
    linesChanged: files.items.reduce((sum, file) => sum + file.additions + file.deletions, 0),
  });
}
return out;`,
    async perTool(call) {
      const pulls = await call('pulls_list', { ...GITHUB_REPO, state: 'open', per_page: 100 });
      const out: Array<{ number: number; title: string; reviewers: number; linesChanged: number }> = [];
      for (const pull of pulls.items) {
        const requested = await call('pulls_list-requested-reviewers', { ...GITHUB_REPO, pull_number: pull.number });
        const files = await call('pulls_list-files', { ...GITHUB_REPO, pull_number: pull.number, per_page: 100 });
        out.push({
          number: pull.number,
          title: pull.title,
          reviewers: requested.users.length + requested.teams.length,
          linesChanged: files.items.reduce((sum: number, f: any) => sum + f.additions + f.deletions, 0),
        });
      }
      return out;
    },
  },
  {
    id: 'github-language-share',
    backend: 'github',
    question:
      'What share of octocat/Hello-World is written in each language (percent, one decimal), and who contributed most?',
    uses: ['repos_list-languages', 'repos_list-contributors'],
    program: `const repo = { owner: 'octocat', repo: 'Hello-World' };
const languages: Record<string, number> = await api['repos_list-languages'](repo);
const bytes = Object.values(languages).reduce((sum, n) => sum + n, 0);
const share: Record<string, number> = {};
for (const [language, n] of Object.entries(languages)) share[language] = Math.round((1000 * n) / bytes) / 10;
const contributors = await api['repos_list-contributors']({ ...repo, per_page: 100 });
const top = [...contributors.items].sort((a, b) => b.contributions - a.contributions)[0];
return { share, topContributor: top === undefined ? null : { login: top.login ?? null, contributions: top.contributions } };`,
    async perTool(call) {
      const languages: Record<string, number> = await call('repos_list-languages', GITHUB_REPO);
      const bytes = Object.values(languages).reduce((sum, n) => sum + n, 0);
      const share: Record<string, number> = {};
      for (const [language, n] of Object.entries(languages)) share[language] = Math.round((1000 * n) / bytes) / 10;
      const contributors = await call('repos_list-contributors', { ...GITHUB_REPO, per_page: 100 });
      const top = [...contributors.items].sort((a: any, b: any) => b.contributions - a.contributions)[0];
      return {
        share,
        topContributor: top === undefined ? null : { login: top.login ?? null, contributions: top.contributions },
      };
    },
  },
  {
    id: 'github-milestone-progress',
    backend: 'github',
    question:
      "How far along is each open milestone of octocat/Hello-World (closed issues as a percent of all its issues), and how many open issues are labelled 'bug'?",
    uses: ['issues_list-milestones', 'issues_list-for-repo'],
    program: `const repo = { owner: 'octocat', repo: 'Hello-World' };
const milestones = await api['issues_list-milestones']({ ...repo, state: 'open', per_page: 100 });
const bugs = await api['issues_list-for-repo']({ ...repo, state: 'open', labels: 'bug', per_page: 100 });
return {
  milestones: milestones.items.map((m) => ({
    title: m.title,
    percentDone: Math.round((1000 * m.closed_issues) / Math.max(1, m.open_issues + m.closed_issues)) / 10,
  })),
  // The issues list includes pull requests; those are not issues here.
  openBugs: bugs.items.filter((issue) => !issue.pull_request).length,
};`,
    async perTool(call) {
      const milestones = await call('issues_list-milestones', { ...GITHUB_REPO, state: 'open', per_page: 100 });
      const bugs = await call('issues_list-for-repo', { ...GITHUB_REPO, state: 'open', labels: 'bug', per_page: 100 });
      return {
        milestones: milestones.items.map((m: any) => ({
          title: m.title,
          percentDone: Math.round((1000 * m.closed_issues) / Math.max(1, m.open_issues + m.closed_issues)) / 10,
        })),
        openBugs: bugs.items.filter((issue: any) => !issue.pull_request).length,
      };
    },
  },
];
