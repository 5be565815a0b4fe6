/**
 * Assertions on MCP tool results shared by the end-to-end tests: a success result carries `structuredContent`
 * that conforms to the tool's `outputSchema`, and the same JSON as its text block.
 */
import { expect } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ListedTool } from '../../contract/descriptor.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

/** Fails unless `result` is a success whose structuredContent conforms to `tool.outputSchema`. */
export function expectConforms(tool: ListedTool, result: ToolResult): void {
  expect(result.isError, `${tool.name}: ${result.content.map((c) => c.text).join(' ')}`).not.toBe(true);
  expect(result.structuredContent, `${tool.name} has structuredContent`).toBeDefined();
  const validate = ajv.compile(tool.outputSchema ?? {});
  expect(validate(result.structuredContent), `${tool.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
  expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
}
