// Converting one option's raw value — a TOML value, or an INI string — into what the option
// needs, with an error that names the file, the key and (for INI) the line.

import { ConfigError } from './config-error.js';

export interface RawOption {
  file: string;
  /** `table.key`, as the user would look for it. */
  key: string;
  value: unknown;
  line?: number;
}

export function fail(opt: RawOption, reason: string): never {
  throw new ConfigError(opt.file, opt.key, reason, opt.line);
}

export function asString(opt: RawOption): string {
  if (typeof opt.value === 'string') return opt.value;
  if (typeof opt.value === 'number' || typeof opt.value === 'boolean') return String(opt.value);
  return fail(opt, `expected a string, got ${describe(opt.value)}`);
}

export function asBool(opt: RawOption): boolean {
  if (typeof opt.value === 'boolean') return opt.value;
  if (typeof opt.value === 'number' && (opt.value === 0 || opt.value === 1)) return opt.value === 1;
  if (typeof opt.value === 'string') {
    const v = opt.value.toLowerCase();
    if (v === 'true' || v === 'yes' || v === '1') return true;
    if (v === 'false' || v === 'no' || v === '0') return false;
  }
  return fail(opt, `expected true or false (statsite also takes yes/no/1/0), got ${describe(opt.value)}`);
}

export function asNumber(opt: RawOption): number {
  const v = typeof opt.value === 'string' && opt.value.trim() !== '' ? Number(opt.value) : opt.value;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return fail(opt, `expected a number, got ${describe(opt.value)}`);
}

export function asInteger(opt: RawOption, min: number, max: number): number {
  const v = asNumber(opt);
  if (!Number.isInteger(v)) fail(opt, `expected a whole number, got ${v}`);
  if (v < min || v > max) fail(opt, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** A TOML array, or statsite's comma-separated INI list. */
export function asList(opt: RawOption): unknown[] {
  if (Array.isArray(opt.value)) return opt.value;
  if (typeof opt.value === 'string') return opt.value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (typeof opt.value === 'number') return [opt.value];
  return fail(opt, `expected a list, got ${describe(opt.value)}`);
}

export function asNumberList(opt: RawOption): number[] {
  return asList(opt).map((item) => asNumber({ ...opt, value: item }));
}

export function asStringList(opt: RawOption): string[] {
  return asList(opt).map((item) => asString({ ...opt, value: item }));
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a table';
  return JSON.stringify(value);
}

/** `record[key]` when it is the record's own entry: never `constructor`, `toString` or `__proto__` from Object's prototype. */
export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
