import { describe, expect, it } from 'vitest';
import { ConfigInvalidError, configError } from '../config/problems.js';
import { ConfigLifecycle } from './lifecycle.js';

/** The shared read → skip if unchanged → build → swap or keep steps, on an in-memory source. */
function setup() {
  const source = { text: undefined as string | undefined, fail: false };
  const built: string[] = [];
  const lifecycle = new ConfigLifecycle<string>({
    read: () =>
      source.fail
        ? Promise.reject(new Error('KV down'))
        : Promise.resolve({ origin: 'mem', text: source.text }),
    build: (text) => {
      built.push(text);
      if (text.startsWith('bad')) throw new ConfigInvalidError([configError('/paths', 'is bad')]);
      return `compiled ${text}`;
    },
    missing: configError('', 'no configuration'),
  });
  return { source, built, lifecycle };
}

describe('ConfigLifecycle', () => {
  it('swaps in a new text, skips an unchanged one without building it again', async () => {
    const { source, built, lifecycle } = setup();
    source.text = 'one';
    expect((await lifecycle.refresh()).kind).toBe('swapped');
    expect(lifecycle.active?.value).toBe('compiled one');
    expect((await lifecycle.refresh()).kind).toBe('unchanged');
    expect(built).toEqual(['one']);
  });

  it('keeps the last good config when the new text is invalid, and builds that text only once', async () => {
    const { source, built, lifecycle } = setup();
    source.text = 'one';
    await lifecycle.refresh();
    source.text = 'bad two';
    expect(await lifecycle.refresh()).toEqual({
      kind: 'invalid',
      origin: 'mem',
      problems: [configError('/paths', 'is bad')],
    });
    expect((await lifecycle.refresh()).kind).toBe('still-invalid');
    expect(lifecycle.active?.value).toBe('compiled one');
    expect(built).toEqual(['one', 'bad two']);
    source.text = 'three';
    expect((await lifecycle.refresh()).kind).toBe('swapped');
    expect(lifecycle.failure).toBeUndefined();
  });

  it('a source that cannot be read keeps the last good config; with none, it is the failure', async () => {
    const { source, lifecycle } = setup();
    source.fail = true;
    expect(await lifecycle.refresh()).toEqual({ kind: 'unavailable', message: 'KV down' });
    expect(lifecycle.failure?.kind).toBe('unavailable');
    await expect(lifecycle.loadOnce()).rejects.toThrow('KV down');
    source.fail = false;
    source.text = 'one';
    expect(await lifecycle.loadOnce()).toBe('compiled one');
    source.fail = true;
    expect((await lifecycle.refresh()).kind).toBe('unavailable');
    expect(lifecycle.failure).toBeUndefined();
    expect(lifecycle.active?.value).toBe('compiled one');
  });

  it('a source with no config at all is reported with the "missing" problem', async () => {
    const { lifecycle } = setup();
    await expect(lifecycle.loadOnce()).rejects.toThrow('no configuration');
  });
});
