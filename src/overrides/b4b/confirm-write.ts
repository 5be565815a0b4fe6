/**
 * B4B writes confirmed by the user (issue 16): before `create_entity`, `update_entity` or `import_invoice_xml`
 * sends anything, the user is shown which backend, which account and exactly what will be written, and asked to
 * confirm (MCP 2025-11-25 / 2026-07-28, Client / Elicitation, form mode: a single boolean, no secrets). Declined,
 * cancelled or unanswered: nothing is sent and the tool result says so.
 *
 * Clients that cannot be asked (no form-mode elicitation declared, or a 2025-11-25 client over HTTP, where finmcp
 * sends no server→client requests): the write proceeds as before — the tool call itself is the request, the host
 * asks its user about tools whose annotations say they write — unless `B4B_REQUIRE_CONFIRMATION` is set, which
 * refuses unconfirmed writes.
 */
import { createHash } from 'node:crypto';
import type { CallContext } from '../../core/call-context.js';
import { readLogin } from './session.js';

/** One confirmed write: what the user is told it does. */
interface WriteDescription {
  /** E.g. "Create a business entity". */
  action: string;
  /** E.g. "POST /api/v1/entities". */
  request: (args: Record<string, unknown>) => string;
}

/** Where and as whom writes go, for the messages. */
export interface ConfirmationSettings {
  /** E.g. "Finizi B4B at https://api.b4b.example". */
  backendLabel: string;
  /** Refuse writes the user cannot be asked to confirm. */
  requireConfirmation: boolean;
  /** The phone of the stdio sign-in from the environment, when configured (the account before the first call). */
  environmentPhone?: string;
}

/** Longest argument text shown in full; longer XML is shown in part with its size and digest. */
const MAX_SHOWN_CHARS = 4000;

/** The form asked: one required boolean. */
const CONFIRM_SCHEMA = {
  type: 'object',
  properties: {
    confirm: {
      type: 'boolean',
      title: 'Write this to B4B',
      description: 'Check to send exactly what is shown; leave unchecked or decline to send nothing.',
    },
  },
  required: ['confirm'],
};

/** The override `check` that asks; a returned string is the tool error (nothing is sent). */
export function confirmWrite(tool: string, description: WriteDescription, settings: ConfirmationSettings) {
  return async (args: Record<string, unknown>, ctx: CallContext): Promise<string | undefined> => {
    const elicit = ctx.elicit;
    if (elicit === undefined || !elicit.form) {
      if (!settings.requireConfirmation) return undefined;
      return (
        `Not written: this server requires the user to confirm every write (B4B_REQUIRE_CONFIRMATION), and this MCP client ` +
        'cannot ask the user (it declared no form-mode elicitation). Nothing was sent to B4B.'
      );
    }
    const answer = await elicit.ask(`confirm_${tool}`, {
      mode: 'form',
      message: confirmationText(description, args, ctx, settings),
      requestedSchema: CONFIRM_SCHEMA,
    });
    if (answer.action === 'accept' && answer.content?.['confirm'] === true) return undefined;
    if (answer.action === 'pending') return 'Waiting for the user to confirm.';
    if (answer.action === 'cancel') {
      return `Not written: the user dismissed the confirmation of "${description.action}" without answering. Nothing was sent to B4B; call the tool again to ask again.`;
    }
    return `Not written: the user declined "${description.action}". Nothing was sent to B4B.`;
  };
}

/** The confirmation: backend, account, request and exactly the arguments that will be sent. */
function confirmationText(
  description: WriteDescription,
  args: Record<string, unknown>,
  ctx: CallContext,
  settings: ConfirmationSettings,
): string {
  const login = ctx.session === undefined ? undefined : readLogin(ctx.session);
  const account =
    login?.email ??
    (settings.environmentPhone === undefined ? 'the signed-in account' : `the account of ${settings.environmentPhone}`);
  return [
    `${description.action} in ${settings.backendLabel}, as ${account}.`,
    `Request: ${description.request(args)}`,
    'Exactly this will be sent:',
    shown(args),
    'Confirm to send it; decline and nothing is written.',
  ].join('\n');
}

/** The arguments as JSON; a long string member (an XML document) in part, with its length and SHA-256. */
function shown(args: Record<string, unknown>): string {
  const text = JSON.stringify(args, null, 2);
  if (text.length <= MAX_SHOWN_CHARS) return text;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (typeof value === 'string' && value.length > MAX_SHOWN_CHARS / 2) {
      const digest = createHash('sha256').update(value).digest('hex');
      out[key] = `${value.slice(0, MAX_SHOWN_CHARS / 2)}… [${value.length} characters in all, SHA-256 ${digest}]`;
    } else out[key] = value;
  }
  return JSON.stringify(out, null, 2);
}

/** The three B4B writes. */
export const B4B_WRITES: Readonly<Record<string, WriteDescription>> = {
  create_entity: { action: 'Create a business entity', request: () => 'POST /api/v1/entities' },
  update_entity: {
    action: 'Update a business entity',
    request: (args) => `PUT /api/v1/entities/${String(args['entity_id'])}`,
  },
  import_invoice_xml: {
    action: 'Import an invoice from XML',
    request: (args) => `POST /api/v1/entities/${String(args['entity_id'])}/invoices/import-xml`,
  },
};
