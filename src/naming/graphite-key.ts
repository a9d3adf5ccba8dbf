// Keys as carbon and Grafana need them. Rules (documented in the README):
// - path: whitespace -> '_', '/' -> '-', '<' -> 'lt', '>' -> 'gt' (histogram bins), any other
//   character outside [A-Za-z0-9_.-] is dropped (statsite's graphite sink rules), and empty path
//   segments are removed (`a..b.` -> `a.b`), since carbon would create empty directory levels.
// - tags (`;name=value`): names lose ';', '!', '^', '=' and whitespace; values lose ';', get
//   whitespace -> '_' and no leading '~' (Graphite's tag rules). A tag left empty is omitted.

import { tagSuffix, type KeyStyle } from './key-style.js';

const CLEAN_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function sanitizeGraphitePath(path: string): string {
  if (CLEAN_PATH.test(path)) return path;
  return path
    .replace(/\s/g, '_')
    .replace(/\//g, '-')
    .replace(/</g, 'lt')
    .replace(/>/g, 'gt')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.|\.$/g, '');
}

export function sanitizeTagName(name: string): string {
  return name.replace(/[;!^=\s]/g, '');
}

export function sanitizeTagValue(value: string): string {
  return value.replace(/;/g, '').replace(/\s/g, '_').replace(/^~+/, '');
}

export const GRAPHITE_KEYS: KeyStyle = {
  path: sanitizeGraphitePath,
  tags: (canonicalTags) => tagSuffix(canonicalTags, sanitizeTagName, sanitizeTagValue),
};
