/**
 * The finmcp hey-api plugin (hey-api 0.95 plugin API: `definePluginConfig` + a `handler` walking
 * `plugin.forEach('operation', …)`): the home of descriptor generation. It emits no files; it hands the parsed spec
 * (OpenAPI 3.1 §4.8.1 OpenAPI Object, bundled by hey-api) and the built descriptors to `onParsed`.
 */
import { type DefinePlugin, definePluginConfig } from '@hey-api/openapi-ts';
import type { ToolDescriptor } from '../../src/descriptor.js';
import { buildDescriptors } from '../descriptor/build.js';
import type { OperationInput } from '../descriptor/operation.js';
import { type JsonObject, isObject } from '../schema/json.js';
import { type OperationEvent, operationInput, specOrder } from './operation-input.js';

/** Plugin name as registered in hey-api's plugin map. */
export const FINMCP_PLUGIN_NAME = 'finmcp-descriptors';

/** What the plugin hands back for one spec. */
export interface ParsedSpec {
  /** The raw bundled spec hey-api parsed (all references local). */
  document: JsonObject;
  /** Operations in spec order. */
  operations: OperationInput[];
  /** One descriptor per operation, same order. */
  descriptors: ToolDescriptor[];
}

/** User configuration of the plugin. */
export interface FinmcpPluginUserConfig {
  name: typeof FINMCP_PLUGIN_NAME;
  /** Receives the result; hey-api plugins return nothing themselves. */
  onParsed?: (parsed: ParsedSpec) => void;
}

/** hey-api's plugin type for this plugin. */
export type FinmcpPlugin = DefinePlugin<FinmcpPluginUserConfig>;

/** Walks the IR's operations, builds the descriptors, reports them. */
export const handler: FinmcpPlugin['Handler'] = ({ plugin }) => {
  const document = plugin.context.spec as unknown;
  if (!isObject(document)) throw new Error('hey-api returned no spec');
  const events: OperationEvent[] = [];
  plugin.forEach('operation', (event) => {
    events.push({ method: event.method, path: event.path, operation: event.operation });
  });
  // hey-api walks in its own order; tool name collisions are resolved in the spec's order, so sort back to it.
  const order = new Map(events.map((event) => [event, specOrder(document, event)] as const));
  events.sort((a, b) => {
    const [pa, ma] = order.get(a) as [number, number];
    const [pb, mb] = order.get(b) as [number, number];
    return pa - pb || ma - mb;
  });
  const operations = events.map((event) => operationInput(event, document));
  plugin.config.onParsed?.({ document, operations, descriptors: buildDescriptors(operations, document) });
};

/** The plugin factory, used as `plugins: [finmcpPlugin({ onParsed })]`. */
export const finmcpPlugin = definePluginConfig<FinmcpPlugin['Types']>({
  name: FINMCP_PLUGIN_NAME,
  config: {},
  dependencies: [],
  handler,
});
