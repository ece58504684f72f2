import { inlineIncludes, readPoolScripts } from './load-scripts';
import { ResultCode } from './result-codes';

describe('Lua script loading', () => {
  it('when includes nest and repeat, then each is inlined once, before its first use', () => {
    const sources: Record<string, string> = {
      a: '--- @include "b"\nlocal a = b',
      b: 'local b = 1',
    };
    const lua = inlineIncludes('--- @include "a"\n--- @include "b"\nreturn a', (name) => sources[name]);
    expect(lua).toBe('local b = 1\nlocal a = b\n\nreturn a');
  });

  it('when an include does not exist, then loading fails naming it', () => {
    expect(() => inlineIncludes('--- @include "nope"', () => { throw new Error('Lua include "nope" not found'); })).toThrow(/nope/);
  });

  describe.each(readPoolScripts())('$name-$numberOfKeys.lua', (script) => {
    it('then every include is resolved', () => {
      expect(script.lua).not.toMatch(/@include/);
    });

    it('then its header documents every key, and the body uses no other', () => {
      const header = script.lua.slice(0, script.lua.indexOf(']]'));
      for (let i = 1; i <= script.numberOfKeys; i += 1) expect(header).toContain(`KEYS[${i}]`);
      const used = [...script.lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(Math.max(...used)).toBe(script.numberOfKeys);
    });

    it('then result codes come from result-codes.ts only', () => {
      if (!script.lua.includes('ResultCode.')) return;
      expect(script.lua).toContain(`GRANTED = ${ResultCode.GRANTED}`);
    });
  });
});
