import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from '../../src/assembly/config-schema.js';
import { integrationDefinition, integrationFields } from '../../src/integrations/registry.js';
import { requiredFields } from '../../src/integrations/definition.js';

/**
 * docs/ARCHITECTURE.md "Registries, not switches": each integration type's definition file
 * carries its schema part, and the config schema's `integration` object is assembled from those
 * parts above src/config/, which names no integration type.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');

function integrationObject(): TSchema {
  const paths = (CONFIG_SCHEMA.properties as Record<string, TSchema>).paths as TSchema;
  const route = paths.items as TSchema;
  return (route.properties as Record<string, TSchema>).integration as TSchema;
}

describe('integration schema parts', () => {
  it("the config schema's integration object is type plus every part's fields, each optional", () => {
    const integration = integrationObject();
    const properties = integration.properties as Record<string, TSchema>;
    expect(Object.keys(properties)).toEqual(['type', ...Object.keys(integrationFields())]);
    expect(integration.required).toEqual(['type']);
    expect(integration.additionalProperties).toBe(false);
  });

  it('each type brings its own fields; a field it does not mark optional is required', () => {
    const fieldsOf = (type: string) => Object.keys(integrationDefinition(type)?.fields ?? {});
    expect(fieldsOf('http_proxy')).toEqual(['server']);
    expect(fieldsOf('service_binding')).toEqual(['binding', 'function']);
    expect(fieldsOf('auth0_callback')).toEqual(['post_process']);
    expect(fieldsOf('oidc_login')).toEqual(['session']);
    expect(fieldsOf('oidc_callback')).toEqual([]);
    const required = (type: string) => {
      const definition = integrationDefinition(type);
      return definition ? requiredFields(definition) : undefined;
    };
    expect(required('service_binding')).toEqual(['binding', 'function']);
    expect(required('auth0_callback')).toEqual([]);
  });

  it('two types may share a field only with the same schema', () => {
    const binding = { binding: Type.String({ minLength: 1 }) };
    expect(Object.keys(integrationFields({ a: { fields: binding }, b: { fields: binding } }))).toEqual([
      'binding',
    ]);
    expect(() =>
      integrationFields({ a: { fields: binding }, b: { fields: { binding: Type.Number() } } }),
    ).toThrow('integration type "b" redefines the field "binding"');
  });

  it("src/config/schema.ts describes no integration type's fields", () => {
    const code = readFileSync(join(SRC, 'config', 'schema.ts'), 'utf8').replace(
      /\/\*[\s\S]*?\*\/|\/\/.*$/gm,
      '',
    );
    for (const word of ["'http_proxy'", "'service_binding'", "'oidc_login'", 'server:', 'post_process:'])
      expect(code).not.toContain(word);
  });
});
