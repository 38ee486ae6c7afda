import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { bodyOf } from '../../shared/http/request';

const form = (body: string) => bodyOf({ body, headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' }, isBase64Encoded: false } as unknown as APIGatewayProxyEventV2);

describe('form bodies', () => {
  it('nest bracket keys, make arrays of [] and small [n] keys, and read true/false as booleans', () => {
    expect(form('pipeline[name]=flow&source[app][name]=web&targets[0][app][name]=stg&targets[1][app][name]=prod&safe=false')).toEqual({
      pipeline: { name: 'flow' },
      source: { app: { name: 'web' } },
      targets: [{ app: { name: 'stg' } }, { app: { name: 'prod' } }],
      safe: false,
    });
    expect(form('role=developer&apps[]=web&apps[]=api&auto_release=true')).toEqual({ role: 'developer', apps: ['web', 'api'], auto_release: true });
    expect(form('a[3]=x&a[1]=y')).toEqual({ a: ['y', 'x'] });
  });

  it('collect a repeated key, decode + and percent escapes, and keep an empty value', () => {
    expect(form('tag=a&tag=b&msg=hello+world%21&flag&%5Bencoded%5D=1&k%5Bn%5D=2')).toEqual({
      tag: ['a', 'b'],
      msg: 'hello world!',
      flag: '',
      encoded: '1',
      k: { n: '2' },
    });
  });

  it('keep a large [n] as a name, stop nesting at depth 5 and read at most 200 fields', () => {
    expect(form('a[25]=x')).toEqual({ a: { 25: 'x' } });
    expect(form('a[b][c][d][e][f][g][h]=deep')).toEqual({ a: { b: { c: { d: { e: { f: { '[g][h]': 'deep' } } } } } } });
    const many = form(Array.from({ length: 210 }, (_, index) => `k${index}=${index}`).join('&'));
    expect(Object.keys(many as object)).toHaveLength(200);
  });

  it('keep names Object.prototype has, __proto__ too, as own keys at any depth, and reach no prototype', () => {
    const parsed = form('__proto__[polluted]=1&constructor=2&toString=3&ok=1&m[__proto__]=4&m[prototype]=5&%E2%90%9B=6&m[%E2%90%9B__proto__]=7') as Record<string, any>;
    expect(parsed).toEqual(JSON.parse('{"__proto__":{"polluted":"1"},"constructor":"2","toString":"3","ok":"1","m":{"__proto__":"4","prototype":"5","\u241b__proto__":"7"},"\u241b":"6"}'));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.m)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(form('a[b][c][d][e][f][__proto__][x]=deep')).toEqual({ a: { b: { c: { d: { e: { f: { '[__proto__][x]': 'deep' } } } } } } });
  });
});
