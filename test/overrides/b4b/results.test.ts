/** The success result of B4B's hand-written tools: structured content, and the same JSON as its one text block. */
import { describe, expect, it } from 'vitest';
import { success } from '../../../src/overrides/b4b/results.js';

describe('success', () => {
  it.each([{ success: true, message: 'Logged out' }, { user: { id: 'u1', email: 'an.nguyen@b4b.example' } }, {}])(
    'mirrors %j in its text block',
    (structured) => {
      const result = success(structured);
      expect(result.isError).toBeUndefined();
      expect(result.structuredContent).toBe(structured);
      expect(result.content).toEqual([{ type: 'text', text: JSON.stringify(structured) }]);
    },
  );
});
