// `statsite-ts unit`: packaging/statsite-ts.service with the paths of this installation, so
// `statsite-ts unit > /etc/systemd/system/statsite-ts.service` is the whole install step.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATE = fileURLToPath(new URL('../../packaging/statsite-ts.service', import.meta.url));
const INSTALL = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const TEMPLATE_INSTALL = '/opt/statsite-ts';
const TEMPLATE_NODE = '/usr/bin/node';
const TEMPLATE_CONFIG = '/etc/statsite-ts/config.toml';
/** Where the unit's own sandbox (ProtectHome=, PrivateTmp=, implied by DynamicUser=) hides files. */
const HIDDEN = ['/home/', '/root/', '/run/user/', '/tmp/', '/var/tmp/'];

/** Why this installation cannot run under the unit, or null. */
export function hiddenInstall(): string | null {
  const hidden = HIDDEN.find((dir) => `${INSTALL}/`.startsWith(dir));
  if (hidden === undefined) return null;
  return `this installation is under ${hidden}, which the unit's sandbox hides (ProtectHome=, PrivateTmp=): the service could not start; `
    + 'install it elsewhere (e.g. /opt/statsite-ts, see README), or pass --allow-home to print the unit anyway';
}

export function renderUnit(configPath: string): string {
  return readFileSync(TEMPLATE, 'utf8')
    .replaceAll(`${TEMPLATE_NODE} ${TEMPLATE_INSTALL}/`, `${process.execPath} ${INSTALL}/`)
    .replaceAll(`file://${TEMPLATE_INSTALL}/`, `file://${INSTALL}/`)
    .replaceAll(TEMPLATE_CONFIG, configPath);
}
