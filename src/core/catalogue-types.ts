/**
 * What a backend serves besides tools (MCP 2025-11-25 and 2026-07-28, Server / Resources, Prompts): the entries a
 * backend's catalogue holds, as core builds them (src/core/catalogue.ts, a backend's overrides) and the dispatch
 * core answers them (src/protocol/catalogue.ts). Types only, so that core never imports the protocol layer.
 */
import type { JsonObject } from '../../contract/json.js';
import type { Elicitor } from './call-context.js';

/** The contents of one resource (`TextResourceContents` / `BlobResourceContents`). */
export type ResourceContents = { uri: string; mimeType?: string; _meta?: JsonObject } & (
  | { text: string }
  | { blob: string }
);

/** A resource listed by `resources/list`. */
export interface ServedResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  read(): ResourceContents[] | Promise<ResourceContents[]>;
  /**
   * Only for a resource that can change while the server runs: calls `onUpdate` after each change until the
   * returned function is called (`resources/subscribe`, MCP 2025-11-25).
   */
  watch?(onUpdate: () => void): () => void;
}

/** A resource template (RFC 6570 level 1: `{var}` stands for one path segment's worth of text). */
export interface ServedResourceTemplate {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  read(uri: string, variables: Record<string, string>): ResourceContents[] | Promise<ResourceContents[]>;
  /** Values for one variable of the template, for `completion/complete` (`ref/resource`). */
  complete?(variable: string, value: string, context: Record<string, string>): string[];
}

/** One argument of a served prompt (`PromptArgument`), with what completes it. */
interface ServedPromptArgument {
  name: string;
  description?: string;
  required?: boolean;
  /** The only values accepted; refused otherwise. */
  enum?: readonly string[];
  /** Further values offered by `completion/complete`. */
  examples?: readonly string[];
}

/** A message of `prompts/get` (`PromptMessage`: text, image, audio, or an embedded resource). */
interface PromptMessage {
  role: 'user' | 'assistant';
  content: JsonObject;
}

/** A prompt listed by `prompts/list`; `get` receives the arguments already checked against {@link arguments}. */
export interface ServedPrompt {
  name: string;
  title?: string;
  description?: string;
  arguments: readonly ServedPromptArgument[];
  /**
   * `elicit`: asks the user for what the prompt needs (2026-07-28: an `input_required` answer and the client's
   * retry, as for tools; 2025-11-25: a live `elicitation/create` where the transport can send one).
   */
  get(
    args: Record<string, string>,
    elicit?: Elicitor,
  ): { description?: string; messages: PromptMessage[] } | Promise<{ description?: string; messages: PromptMessage[] }>;
}

/** Everything a backend serves besides tools. */
export interface Catalogue {
  resources: readonly ServedResource[];
  templates: readonly ServedResourceTemplate[];
  prompts: readonly ServedPrompt[];
}
