/**
 * The pure half of the public API corpus benchmark (corpus.ts runs the processes): reading GNU time's `-v`
 * report, the Node flags of the launcher's shebang, the size of `generated/<backend>/` from a directory walk
 * (whatever its layout: one file per kind or a folder of per-tool files), and the size of a `tools/list`
 * listed page by page. Kept apart so that each can be checked against fixed input without starting anything.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListedTool } from '../scenario.js';

/** What GNU time's `-v` report says about the command it ran. */
export interface TimeReport {
  /** "Maximum resident set size", bytes; null when the report has none. */
  maxRssBytes: number | null;
  /** The command's exit status; null when it was ended by a signal. */
  exitStatus: number | null;
  /** The signal that ended it ("Command terminated by signal N"); null when it exited. */
  signal: number | null;
}

/** Reads the report `/usr/bin/time -v -o <file>` wrote. */
export function parseTimeVerbose(text: string): TimeReport {
  const number = (pattern: RegExp): number | null => {
    const match = pattern.exec(text)?.[1];
    return match === undefined ? null : Number(match);
  };
  const maxRssKb = number(/Maximum resident set size \(kbytes\):\s*(\d+)/);
  return {
    maxRssBytes: maxRssKb === null ? null : maxRssKb * 1024,
    // time reports "Exit status: 0" for a signalled command too: the signal line decides.
    signal: number(/Command terminated by signal (\d+)/),
    exitStatus: /Command terminated by signal/.test(text) ? null : number(/Exit status:\s*(\d+)/),
  };
}

/**
 * The Node flags a launcher's shebang passes (`#!/usr/bin/env -S node --max-old-space-size=256 …` → the flags), so
 * that a server started with `node <flags> bin/finmcp.js` runs as the launcher runs it; none without such a line.
 */
export function shebangNodeFlags(launcher: string): string[] {
  const first = launcher.split('\n', 1)[0] ?? '';
  const match = /^#!(?:\S*\/env(?:\s+-S)?\s+)?(?:\S*\/)?node((?:\s+--?\S+)*)\s*$/.exec(first);
  return match?.[1] === undefined ? [] : match[1].trim().split(/\s+/).filter(Boolean);
}

/** One kind of generated file: a top-level file of the backend's folder, or a folder with its files. */
interface GeneratedKind {
  /** The file name, or the folder name with a trailing `/`. */
  kind: string;
  files: number;
  bytes: number;
}

/** The size of `generated/<backend>/`. */
export interface GeneratedSize {
  files: number;
  bytes: number;
  /** Largest first. */
  kinds: GeneratedKind[];
}

/** A file below the backend's folder: its `/`-separated path relative to the folder, and its size. */
export interface SizedFile {
  path: string;
  bytes: number;
}

/** Groups files by their first path segment (a folder of per-tool files is one kind). */
export function generatedSize(files: readonly SizedFile[]): GeneratedSize {
  const kinds = new Map<string, GeneratedKind>();
  let bytes = 0;
  for (const file of files) {
    const slash = file.path.indexOf('/');
    const kind = slash === -1 ? file.path : `${file.path.slice(0, slash)}/`;
    const entry = kinds.get(kind) ?? { kind, files: 0, bytes: 0 };
    entry.files += 1;
    entry.bytes += file.bytes;
    kinds.set(kind, entry);
    bytes += file.bytes;
  }
  return {
    files: files.length,
    bytes,
    kinds: [...kinds.values()].sort((a, b) => b.bytes - a.bytes || a.kind.localeCompare(b.kind)),
  };
}

/** Every regular file below `dir`, paths relative to it; none when it does not exist. Links are not followed. */
export async function walkFiles(dir: string, prefix = ''): Promise<SizedFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: SizedFile[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walkFiles(path, relative)));
    else if (entry.isFile()) out.push({ path: relative, bytes: (await lstat(path)).size });
  }
  return out;
}

/** The size of a full listing, summed over its pages. */
export interface ListingSize {
  tools: number;
  pages: number;
  /** Each page's `tools` array serialized compactly (as servers send it), UTF-8 bytes, summed. */
  bytes: number;
  /** bytes / 4 (bench/measure/tools.ts says why). */
  approxTokens: number;
  /** The tool whose compact serialization is largest. */
  largestTool: { name: string; bytes: number } | null;
}

/** Measures a listing from its pages' `tools` arrays. */
export function listingSize(pages: ReadonlyArray<readonly ListedTool[]>): ListingSize {
  let bytes = 0;
  let tools = 0;
  let largestTool: ListingSize['largestTool'] = null;
  for (const page of pages) {
    bytes += Buffer.byteLength(JSON.stringify(page));
    tools += page.length;
    for (const tool of page) {
      const size = Buffer.byteLength(JSON.stringify(tool));
      if (largestTool === null || size > largestTool.bytes) largestTool = { name: tool.name, bytes: size };
    }
  }
  return { tools, pages: pages.length, bytes, approxTokens: Math.round(bytes / 4), largestTool };
}

/** The tool count `generate` reports for a backend (`<backend>: new backend, N tools`); null when absent. */
export function generatedToolCount(output: string, backend: string): number | null {
  const escaped = backend.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escaped}: [^\\n]*?(\\d+) tools?\\b`, 'm').exec(output)?.[1];
  return match === undefined ? null : Number(match);
}

/**
 * A note for the record when the machine was loaded while the corpus was measured: a 1-minute load average above
 * its core count at any reading means other work competed with every figure. null when it never was.
 */
export function loadNote(readings: readonly number[], cores: number): string | null {
  if (readings.length === 0) return null;
  const highest = Math.max(...readings);
  if (highest <= cores) return null;
  const lowest = Math.min(...readings);
  return (
    `Measured on a loaded machine: the 1-minute load average was ${lowest.toFixed(2)}–${highest.toFixed(2)} on ` +
    `${cores} cores during the run (other work competed with it): read times and start-ups as upper bounds.`
  );
}
