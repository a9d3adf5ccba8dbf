// `statsite-ts unit`: packaging/statsite-ts.service (and .socket) with the paths of this
// installation, the unit name asked for and the config's ports, so
// `statsite-ts unit --output /etc/systemd/system` is the whole install step.

import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServerConfig } from '../config/server-config.js';

const PACKAGING = new URL('../../packaging/', import.meta.url);
const INSTALL = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const TEMPLATE_INSTALL = '/opt/statsite-ts';
const TEMPLATE_NODE = '/usr/bin/node';
const TEMPLATE_CONFIG = '/etc/statsite-ts/config.toml';
export const DEFAULT_UNIT_NAME = 'statsite-ts';
/** Where the unit's own sandbox (ProtectHome=, PrivateTmp=, implied by DynamicUser=) hides files. */
const HIDDEN = ['/home/', '/root/', '/run/user/', '/tmp/', '/var/tmp/'];
/** What a unit name may be made of here (systemd allows more; these need no escaping anywhere). */
const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Why this installation (or the node that runs it) cannot run under the unit, or null. */
export function hiddenInstall(): string | null {
  for (const [what, path] of [['this installation', INSTALL], [`node (${process.execPath})`, process.execPath]]) {
    const hidden = HIDDEN.find((dir) => `${path}/`.startsWith(dir));
    if (hidden === undefined) continue;
    return `${what} is under ${hidden}, which the unit's sandbox hides (ProtectHome=, PrivateTmp=): the service could not start; `
      + 'install it elsewhere (e.g. /opt/statsite-ts, see README), or pass --allow-home to print the unit anyway';
  }
  return null;
}

/** Why `name` cannot name the units, or null. */
export function badUnitName(name: string): string | null {
  return UNIT_NAME.test(name) && !name.endsWith('.service') && !name.endsWith('.socket')
    ? null
    : `--name ${JSON.stringify(name)}: a unit name is letters, digits, "_", "." and "-", without .service or .socket`;
}

function template(file: string, name: string): string {
  return readFileSync(new URL(file, PACKAGING), 'utf8')
    .replaceAll(`file://${TEMPLATE_INSTALL}/`, `file://${INSTALL}/`)
    .replaceAll(`${DEFAULT_UNIT_NAME}.service`, `${name}.service`)
    .replaceAll(`${DEFAULT_UNIT_NAME}.socket`, `${name}.socket`);
}

/** The service unit: this node and installation, `configPath`, and `name` for the state directory and the journal. */
export function renderUnit(configPath: string, name = DEFAULT_UNIT_NAME): string {
  return template('statsite-ts.service', name)
    .replaceAll(`${TEMPLATE_NODE} ${TEMPLATE_INSTALL}/`, `${process.execPath} ${INSTALL}/`)
    .replaceAll(TEMPLATE_CONFIG, configPath)
    .replace(/^(StateDirectory|RuntimeDirectory|SyslogIdentifier)=.*$/gm, `$1=${name}`);
}

/** `ListenDatagram=`/`ListenStream=`'s spelling of the config's address and a port. */
function listenAddress(host: string, port: number): string {
  // systemd's bare port listens on every interface, IPv4 and IPv6, as "::" means to us.
  if (host === '::') return String(port);
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The socket unit for the config's UDP and TCP ports; throws when it has neither. */
export function renderSocketUnit(config: ServerConfig, name = DEFAULT_UNIT_NAME): string {
  if (config.udpPort === 0 && config.tcpPort === 0) {
    throw new Error(`${config.configFile ?? 'the config'}: UDP and TCP are off, so there is no socket for a socket unit to hold`);
  }
  const listen = [
    ...(config.udpPort > 0 ? [`ListenDatagram=${listenAddress(config.bindAddress, config.udpPort)}`] : []),
    ...(config.tcpPort > 0 ? [`ListenStream=${listenAddress(config.bindAddress, config.tcpPort)}`] : []),
  ].join('\n');
  return template('statsite-ts.socket', name).replace(/^ListenDatagram=.*\nListenStream=.*$/m, listen);
}
