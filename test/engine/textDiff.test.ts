// Where two texts differ (engine/textDiff.ts): the common prefix and suffix found by native block
// comparisons (doubling, then halving) must be those a character-by-character scan finds, for edits
// anywhere in texts short and long (blocks are 2,048 characters).

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { commonPrefix, commonSuffix, detachStrings } from '../../engine/textDiff';

function naivePrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function naiveSuffix(a: string, b: string, prefix: number): number {
  let s = 0;
  const max = Math.min(a.length, b.length) - prefix;
  while (s < max && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return s;
}

describe('textDiff: common prefix and suffix', () => {
  it('agrees with a character scan on random edits of long texts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.string({ maxLength: 30 }),
        (length, where, removed, inserted) => {
          const a = Array.from({ length }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 13))).join('');
          const at = Math.floor(where * length);
          const b = a.slice(0, at) + inserted + a.slice(Math.min(length, at + removed));
          const p = commonPrefix(a, b);
          assert.equal(p, naivePrefix(a, b));
          assert.equal(commonSuffix(a, b, p), naiveSuffix(a, b, p));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles equal texts, empty texts and a difference at either end', () => {
    const long = 'x'.repeat(100_000);
    assert.equal(commonPrefix(long, long), long.length);
    assert.equal(commonSuffix(long, long, long.length), 0);
    assert.equal(commonPrefix('', long), 0);
    assert.equal(commonPrefix(long + 'a', long + 'b'), long.length);
    assert.equal(commonSuffix('a' + long, 'b' + long), long.length);
    assert.equal(commonSuffix(long, long + 'y'), 0);
  });

  it('detachStrings keeps every string (their copies) and the shape of the data', () => {
    const text = 'const a = 1; // '.repeat(1000);
    const data = { name: text.slice(6, 7), long: text.slice(0, 40), list: [text.slice(10, 30), 3, null, { deep: text.slice(100, 150) }], n: 2 };
    const before = structuredClone(data);
    assert.equal(detachStrings(data), data);
    assert.deepEqual(data, before);
  });
});
