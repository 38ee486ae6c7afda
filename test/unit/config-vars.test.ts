import { describe, expect, it } from 'vitest';
import {
  MAX_CONFIG_BYTES,
  SECRET_MASK,
  applyConfigChange,
  assertConfigChange,
  describeConfigChange,
  diffConfig,
  maskedConfig,
  type ConfigVars,
} from '../../shared/domain/config-vars';

const plain = (value: string) => ({ secret: false as const, value });
const secret = (value_from: string) => ({ secret: true as const, value_from });

describe('config vars', () => {
  it('sets and unsets in one change, secrets by their stored reference', () => {
    const current: ConfigVars = { KEEP: plain('1'), DROP: plain('2'), FOO: plain('old') };
    const next = applyConfigChange(
      current,
      { FOO: { value: 'new', secret: false }, DROP: null, TOKEN: { value: 's3cr3t', secret: true } },
      { TOKEN: '/slipway/a/c/TOKEN' },
    );
    expect(next).toEqual({ KEEP: plain('1'), FOO: plain('new'), TOKEN: secret('/slipway/a/c/TOKEN') });
    expect(JSON.stringify(next)).not.toContain('s3cr3t');
    expect(current.DROP).toEqual(plain('2'));
  });

  it("sets, unsets, masks and diffs vars named __proto__, constructor or prototype like any other", () => {
    const change = JSON.parse('{"__proto__":{"value":"p","secret":false},"constructor":{"value":"c","secret":true},"prototype":{"value":"t","secret":false}}');
    const next = applyConfigChange({}, change, JSON.parse('{"constructor":"/slipway/a/c/constructor"}'));
    expect(Object.keys(next)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(JSON.stringify(maskedConfig(next))).toBe(`{"__proto__":"p","constructor":"${SECRET_MASK}","prototype":"t"}`);
    // A secret without its stored reference is a bug, not a reference read off Object.prototype.
    expect(() => applyConfigChange({}, change, {})).toThrow(/No stored secret reference for constructor/);
    const diff = diffConfig({}, next);
    expect(Object.keys(diff.added)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(diff.changed).toEqual({});
    expect(JSON.stringify(diffConfig(next, {}).removed)).toBe(`{"__proto__":"p","constructor":"${SECRET_MASK}","prototype":"t"}`);
    const unset = applyConfigChange(next, JSON.parse('{"__proto__":null,"constructor":null}'), {});
    expect(JSON.stringify(unset)).toBe('{"prototype":{"secret":false,"value":"t"}}');
  });

  it('describes a change as its release does', () => {
    expect(describeConfigChange({ FOO: { value: 'x', secret: false }, BAR: null })).toBe('Set FOO, unset BAR');
    expect(describeConfigChange({ A: null, B: null })).toBe('Unset A, B');
  });

  it('refuses an empty change and Slipway’s own release vars', () => {
    expect(() => assertConfigChange({})).toThrow(expect.objectContaining({ code: 'no_config_changes' }));
    expect(() => assertConfigChange({ SLIPWAY_RELEASE_ID: null })).toThrow(expect.objectContaining({ code: 'reserved_config_var' }));
  });

  it('bounds a config in UTF-8 bytes', () => {
    const big = 'é'.repeat(MAX_CONFIG_BYTES / 4);
    const change = { A: { value: big, secret: false }, B: { value: big, secret: false }, C: { value: big, secret: false } };
    expect(() => applyConfigChange({}, change, {})).toThrow(expect.objectContaining({ kind: 'payload_too_large', code: 'config_too_large' }));
  });

  it('diffs two configs with secret values masked', () => {
    const from: ConfigVars = { SAME: plain('1'), GONE: plain('2'), CHANGED: plain('a'), KEY: secret('ref-1') };
    const to: ConfigVars = { SAME: plain('1'), CHANGED: plain('b'), KEY: secret('ref-2'), NEW: secret('ref-3') };
    expect(diffConfig(from, to)).toEqual({
      added: { NEW: SECRET_MASK },
      removed: { GONE: '2' },
      changed: { CHANGED: { from: 'a', to: 'b' }, KEY: { from: SECRET_MASK, to: SECRET_MASK } },
    });
    expect(maskedConfig(to)).toEqual({ SAME: '1', CHANGED: 'b', KEY: SECRET_MASK, NEW: SECRET_MASK });
  });
});
