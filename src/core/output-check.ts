/**
 * A result is checked against the tool's published `outputSchema` before it leaves (MCP 2025-11-25 "Tools → Output
 * Schema": servers MUST provide structured results that conform to it; SDK clients reject one that does not and
 * return nothing at all). Output schemas keep only what clients parse with (codegen/schema/output-constraints.ts),
 * yet a backend can still break them (a string where a number was promised, a required field missing). Such a
 * result is not passed off as conforming: its JSON reaches the model as text, with a note naming the fields and rules
 * it breaks, as an error result (`isError`: clients skip the schema check for those), so nothing the backend said is
 * lost. The schema is compiled on the tool's first result (validation.ts) and cached; a schema ajv cannot compile is
 * logged once and its results pass unchecked, as before this check existed.
 */
import type { JsonSchema, PrecompiledValidator } from '../../contract/descriptor.js';
import type { Logger } from '../log.js';
import type { ToolResult } from './tool-service-api.js';
import { compileSchema, compiledSchema, validateArgs } from './validation.js';

/** Most problems named in the note. */
const MAX_PROBLEMS = 5;

/** Schemas ajv refused: their results pass unchecked (logged once). */
const uncompilable = new WeakSet<JsonSchema>();

/**
 * `result` when it conforms to `schema` (or carries no structured content); else the same data as text with a note.
 * Synchronous once the schema is compiled: a conforming result costs one validator run, no extra turn.
 */
export function checkOutput(
  result: ToolResult,
  schema: JsonSchema | undefined,
  tool: string,
  logger: Logger,
): ToolResult | Promise<ToolResult> {
  if (schema === undefined || result.structuredContent === undefined || result.isError === true) return result;
  if (uncompilable.has(schema)) return result;
  const validator = compiledSchema(schema);
  if (validator !== undefined) return judged(result, validator, tool, logger);
  return compileSchema(schema).then(
    (compiled) => judged(result, compiled, tool, logger),
    (err: unknown) => {
      uncompilable.add(schema);
      logger.warn(
        { tool, err: { message: err instanceof Error ? err.message : String(err) } },
        'output schema does not compile: results of this tool are not checked against it',
      );
      return result;
    },
  );
}

/**
 * A problem as the validator words it for arguments (`<field>: <rule>`), said instead of the backend's result: the
 * caller sent nothing wrong, the backend's answer broke the schema this server published.
 */
function resultProblem(problem: string): string {
  const colon = problem.indexOf(': ');
  if (colon < 0) return `the backend's result: ${problem}`;
  const field = problem.slice(0, colon);
  const rule = problem.slice(colon + 2);
  if (rule === 'is required')
    return `${field}: missing from the backend's result, though the published schema requires it`;
  return `${field} in the backend's result: ${rule}`;
}

function judged(result: ToolResult, validator: PrecompiledValidator, tool: string, logger: Logger): ToolResult {
  const found = validateArgs(validator, result.structuredContent);
  if (found === undefined) return result;
  const problems = found.map(resultProblem);
  logger.warn({ tool, problems: problems.slice(0, MAX_PROBLEMS) }, 'result does not match the output schema');
  const { structuredContent: _dropped, ...rest } = result;
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `- ${p}`);
  if (problems.length > MAX_PROBLEMS) shown.push(`- … and ${problems.length - MAX_PROBLEMS} more`);
  const note =
    "Note: the backend answered, but its answer does not match this tool's published output schema, so it is given " +
    `above as text, unchecked, and marked as an error only so that clients which check results accept it:\n${shown.join('\n')}`;
  return { ...rest, content: [...result.content, { type: 'text', text: note }], isError: true };
}
