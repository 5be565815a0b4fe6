/**
 * Table-driven checks of a yes/no question: every `yes` case must answer true and every `no` case false, one test
 * each, so a list of accepted and refused inputs reads as the rule it pins down.
 */
import { expect, it } from 'vitest';

/** One test per case: `question(given)` is true for each of `yes` and false for each of `no`. */
export function itAnswers<T>(
  name: string,
  question: (given: T) => boolean | undefined,
  yes: readonly T[],
  no: readonly T[],
): void {
  const cases = [...yes.map((given) => ({ given, want: true })), ...no.map((given) => ({ given, want: false }))];
  it.each(cases)(`${name} $given → $want`, ({ given, want }) => {
    expect(question(given)).toBe(want);
  });
}
