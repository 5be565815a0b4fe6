/**
 * Cold start over stdio: from spawning the server process to the answer of its first `tools/list` (after the
 * `initialize` handshake), repeated `starts` times with nothing else running; the median is reported. The
 * first start also records what `tools/list` returns (see tools.ts for its size).
 */
import { StdioMcpProcess, type LaunchSpec } from '../clients/mcp-stdio.js';
import { median } from '../stats.js';
import type { ListedTool } from '../scenario.js';

/** Cold-start samples of one server. */
export interface ColdStartResult {
  samplesMs: number[];
  medianMs: number;
  /** The `tools` array of the first start's `tools/list` answer. */
  tools: ListedTool[];
}

/** Starts the server `starts` times; each start is stopped before the next. */
export async function measureColdStart(
  launch: LaunchSpec,
  starts: number,
  timeoutMs: number,
): Promise<ColdStartResult> {
  const samples: number[] = [];
  let tools: ListedTool[] = [];
  for (let i = 0; i < starts; i += 1) {
    const proc = StdioMcpProcess.spawn(launch);
    try {
      await proc.initialize(timeoutMs);
      const answer = await proc.request('tools/list', undefined, timeoutMs);
      samples.push(performance.now() - proc.startedAt);
      if (answer.message.error !== undefined) throw new Error(`tools/list failed: ${answer.message.error.message}`);
      if (i === 0) tools = (answer.message.result?.tools as ListedTool[] | undefined) ?? [];
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${proc.stderr()}`);
    } finally {
      await proc.close();
    }
  }
  return { samplesMs: samples, medianMs: median(samples), tools };
}
