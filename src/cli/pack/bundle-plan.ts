/**
 * What one backend's bundle is, before anything is staged: the backend planned as `serve --transport stdio
 * --sandbox` would plan it (from an empty environment, so nothing of the packer's own settings or secrets ends up
 * in the bundle), the tools it serves, the settings it offers its user, and its manifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { GeneratedBackend } from '../../../contract/descriptor.js';
import { SETTINGS, Settings } from '../../config.js';
import { buildServedTools } from '../../core/served-tools.js';
import { createLogger } from '../../log.js';
import { planBackends } from '../serve/backend-plans.js';
import { resolveServeConfig } from '../serve/serve-config.js';
import {
  type BundleManifest,
  bundleManifest,
  firstParagraph,
  type PackageFacts,
  type SpecFacts,
} from './bundle-manifest.js';
import { bundleSettings } from './bundle-settings.js';

/** The CLI script a bundle runs, relative to the root. */
export const ENTRY_POINT = 'bin/finmcp.js';

/** One backend's bundle, described. */
export interface BundlePlan {
  generated: GeneratedBackend;
  /** The project's package.json. */
  pkg: PackageFacts & Record<string, unknown>;
  spec: SpecFacts;
  manifest: BundleManifest;
}

/** Describes the bundle of `backend` from the project at `root`. */
export async function planBundle(backend: string, root: string): Promise<BundlePlan> {
  const settings = new Settings({});
  const logger = createLogger({ level: 'silent' });
  const config = await resolveServeConfig([backend], { transport: 'stdio', sandbox: true }, settings);
  const [plan] = await planBackends(config, settings, logger, new Map());
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as BundlePlan['pkg'];
  const spec = specFacts(root, plan!.generated);
  const manifest = bundleManifest({
    backend,
    spec,
    pkg,
    entryPoint: ENTRY_POINT,
    nodeOptions: nodeOptionsOf(readFileSync(join(root, ENTRY_POINT), 'utf8')),
    tools: buildServedTools(plan!, SETTINGS.maxResponseBytes.default).listed,
    settings: bundleSettings(plan!),
  });
  return { generated: plan!.generated, pkg, spec, manifest };
}

/** The backend's title and description, from its spec's `info` (OpenAPI 3.1 `summary`, else the description's first paragraph). */
function specFacts(root: string, generated: GeneratedBackend): SpecFacts {
  const document = parse(readFileSync(join(root, generated.specFile), 'utf8')) as { info?: Record<string, unknown> };
  const info = document.info ?? {};
  const description = typeof info['description'] === 'string' ? info['description'].trim() : undefined;
  const summary = typeof info['summary'] === 'string' ? info['summary'].trim() : undefined;
  return {
    title: generated.title,
    summary: summary ?? (description === undefined ? generated.title : firstParagraph(description)),
    ...(description === undefined ? {} : { description }),
  };
}

/** The Node options of the CLI script's `#!/usr/bin/env -S node …` line (its heap limits). */
function nodeOptionsOf(script: string): string[] {
  const shebang = /^#!.*\bnode((?:\s+--\S+)*)\s*$/m.exec(script.split('\n', 1)[0] ?? '');
  return shebang?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}
