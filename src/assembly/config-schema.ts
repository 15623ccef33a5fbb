import type { TSchema } from '@sinclair/typebox';
import { buildConfigSchema, integrationSchema, jsonSchemaDocument } from '../config/schema.js';
import { integrationFields } from '../integrations/registry.js';

/**
 * The whole config schema: src/config/schema.ts around the `integration` object assembled from
 * each integration type's schema part (its definition file, one line in the registry). Built
 * once; the config lifecycle validates against it on both runtimes, `gatehouse schema` prints it.
 */
export const CONFIG_SCHEMA: TSchema = buildConfigSchema(integrationSchema(integrationFields()));

/** The JSON Schema document `gatehouse schema` prints (draft 2020-12). */
export function configJsonSchema(): Record<string, unknown> {
  return jsonSchemaDocument(CONFIG_SCHEMA);
}
