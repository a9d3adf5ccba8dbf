// `statsite-ts unit`: packaging/statsite-ts.service with the paths of this installation, so
// `statsite-ts unit > /etc/systemd/system/statsite-ts.service` is the whole install step.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATE = fileURLToPath(new URL('../../packaging/statsite-ts.service', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/statsite-ts', import.meta.url));
const TEMPLATE_COMMAND = '/usr/bin/node /opt/statsite-ts/bin/statsite-ts';
const TEMPLATE_CONFIG = '/etc/statsite-ts/config.toml';

export function renderUnit(configPath: string): string {
  const command = `${process.execPath} ${BIN}`;
  return readFileSync(TEMPLATE, 'utf8').replaceAll(TEMPLATE_COMMAND, command).replaceAll(TEMPLATE_CONFIG, configPath);
}
