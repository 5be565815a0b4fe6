/** JSON Schemas shared by the hand-written B4B tools (JSON Schema 2020-12, as MCP tool schemas are). */
import type { JsonSchema } from '../../../contract/descriptor.js';

/** Input of a tool that takes none. */
export const NO_INPUT: JsonSchema = { type: 'object', properties: {}, additionalProperties: false };

export const USER_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The B4B user.',
  properties: {
    id: { type: 'string', description: 'User id (UUID).' },
    email: { type: 'string', description: "The user's email address." },
    phone: { type: 'string', description: 'Login phone number, E.164.' },
    full_name: { type: 'string', description: 'Full name.' },
    role: { type: 'string', description: 'OWNER, ACCOUNTANT or VIEWER.' },
    created_at: { type: 'string', description: 'When the account was created (UTC).' },
  },
  required: ['id', 'email'],
};
