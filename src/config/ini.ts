// statsite's INI dialect (inih): `[section]`, `name = value` or `name: value`, comments with `;`
// or `#` at line start. Values stay strings; the option schema converts them. Quoted values lose
// their quotes, so an INI file with quoted strings reads the same as its TOML twin.

import { ConfigError } from './config-error.js';

export interface IniValue {
  value: string;
  line: number;
}

export type IniTables = Record<string, Record<string, IniValue>>;

export function parseIni(text: string, file: string): IniTables {
  // No prototype: a section or option named `__proto__` or `constructor` is just a (refused) name.
  const tables: IniTables = Object.create(null);
  let section: Record<string, IniValue> | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const lineNo = i + 1;
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) throw new ConfigError(file, '', `unterminated section header "${line}"`, lineNo);
      const name = line.slice(1, -1).trim();
      section = tables[name] ??= Object.create(null);
      continue;
    }
    const sep = line.search(/[=:]/);
    if (sep <= 0) throw new ConfigError(file, '', `expected "name = value", got "${line}"`, lineNo);
    if (section === null) throw new ConfigError(file, '', 'option outside of any [section]', lineNo);
    const name = line.slice(0, sep).trim().toLowerCase();
    // inih's inline comments: a ';' after whitespace ends the value.
    let value = line.slice(sep + 1).replace(/\s;.*$/, '').trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    section[name] = { value, line: lineNo };
  }
  return tables;
}
