import { configJsonSchema } from '../assembly/config-schema.js';
import type { CliIo } from './io.js';

/** `gatehouse schema`: the JSON Schema of api-config.json, from the validator's own source. */
export function runSchema(io: CliIo): number {
  io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
