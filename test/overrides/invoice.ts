/** A small well-formed invoice, the document of the B4B reference server's `import_invoice_xml` example. */
export const INVOICE_XML = `<?xml version="1.0"?>
<Invoice>
<InvoiceNumber>INV-2024-001</InvoiceNumber>
<Date>2024-01-15</Date>
<Total>1500.00</Total>
</Invoice>`;
