import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unusableDirectory } from '../../../src/util/directory-check.js';

describe('unusableDirectory', () => {
  const root = mkdtempSync(join(tmpdir(), 'statsite-ts-dircheck-'));
  const regular = join(root, 'file');
  writeFileSync(regular, 'x');

  it('accepts an existing directory and one that can be made below it', () => {
    expect(unusableDirectory(root)).toBeNull();
    expect(unusableDirectory(join(root, 'a', 'b', 'c'))).toBeNull();
  });

  it('names the regular file in the way', () => {
    expect(unusableDirectory(regular)).toBe(`${regular} is not a directory`);
    const below = join(regular, 'spool', 'x');
    expect(unusableDirectory(below)).toBe(`${regular} is not a directory, so ${below} cannot be created`);
  });
});
