/**
 * Rendering the change report and the freshness check for people (text) and machines (JSON). Deterministic: the
 * same inputs always print the same lines, in backend then tool order.
 */
import type { ToolChange } from './diff.js';

/** What happened to one backend's tool list. */
export interface BackendReport {
  backend: string;
  /** `new`: no committed tools before; `removed`: the spec is gone; `changed`/`unchanged` otherwise. */
  status: 'new' | 'removed' | 'changed' | 'unchanged';
  toolCount: number;
  changes: ToolChange[];
  /** Set when the spec is Swagger 2.0, converted on load: the converter that did it (e.g. `swagger2openapi 7.0.8`). */
  convertedFrom?: string;
}

/** One generated file's state compared with the disk. */
export interface FileState {
  /** Root-relative, `/`-separated. */
  path: string;
  status: 'fresh' | 'stale' | 'missing' | 'extra';
}

/** Everything a run reports. */
export interface GenerateReport {
  mode: 'write' | 'check';
  exitCode: number;
  files: FileState[];
  backends: BackendReport[];
  /** Specs that could not be generated (unreadable, a schema not compiling…), each with where it failed. */
  errors: string[];
  /** What was odd but generated anyway (ignored keywords, dropped patterns), once per spec and kind. */
  warnings?: string[];
  /** How long the run took and the most memory the process held (resident set size), for benchmarks. */
  stats?: { tools: number; seconds: number; peakRssMb: number };
}

/** Text lines for one backend's changes. */
export function formatBackend(report: BackendReport): string[] {
  const lines = formatChanges(report);
  if (report.convertedFrom !== undefined)
    lines.push(`  note        converted from Swagger 2.0 to OpenAPI 3.0 on load by ${report.convertedFrom}`);
  return lines;
}

function formatChanges(report: BackendReport): string[] {
  if (report.status === 'new') return [`${report.backend}: new backend, ${report.toolCount} tools`];
  if (report.status === 'removed') {
    return [
      `${report.backend}: backend removed (spec deleted)`,
      ...report.changes.map((c) => `  ${c.severity.padEnd(10)}  ${c.message}`),
    ];
  }
  if (report.changes.length === 0) return [`${report.backend}: no tool changes (${report.toolCount} tools)`];
  const breaking = report.changes.filter((c) => c.severity === 'breaking').length;
  const compatible = report.changes.length - breaking;
  return [
    `${report.backend}: ${breaking} breaking, ${compatible} compatible change${compatible === 1 ? '' : 's'}`,
    ...report.changes.map((c) => `  ${c.severity.padEnd(10)}  ${c.message}`),
  ];
}

/** The whole report as text (one item per line). */
export function formatText(report: GenerateReport, summary?: string): string {
  const lines: string[] = [
    ...report.errors.map((e) => `error: ${e}`),
    ...(report.warnings ?? []).map((w) => `warning: ${w}`),
  ];
  const changedFiles = report.files.filter((f) => f.status !== 'fresh');
  if (report.mode === 'check') {
    for (const file of changedFiles) lines.push(`${file.status}: ${file.path}`);
  } else {
    for (const file of changedFiles) lines.push(`${file.status === 'extra' ? 'deleted' : 'wrote'} ${file.path}`);
  }
  for (const backend of report.backends) lines.push(...formatBackend(backend));
  if (report.mode === 'check' && report.errors.length === 0) {
    lines.push(
      changedFiles.length === 0
        ? 'generated files are fresh'
        : `${changedFiles.length} generated file${changedFiles.length === 1 ? ' is' : 's are'} out of date: run \`finmcp generate\``,
    );
  }
  if (summary !== undefined) lines.push(summary);
  return `${lines.join('\n')}\n`;
}

/** The whole report as JSON. */
export function formatJson(report: GenerateReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
