// Where `host-gateway` lands: the address a container reaches this machine on, which is where
// the app's Alertmanager webhook must listen (observability/alertmanager.yml sends to
// host.docker.internal, mapped to host-gateway).
//
// dockerd decides it at start: its `host-gateway-ip` setting when one is configured, else the
// default bridge's IPv4 gateway. What `docker network inspect bridge` shows depends on the
// engine's history: after a restart (or with a `docker0` left by an earlier daemon) the IPAM
// config names the Gateway, but on a dockerd's first start on a machine it names only the Subnet,
// and the gateway is the address IPAM handed out first — the subnet's first host address (that
// is what docker0 gets). So the inspect gives a first guess, computed as dockerd does, and a
// running container's /etc/hosts (the `host.docker.internal` line the engine wrote there) is
// the engine's own word, which the app checks the guess against once Alertmanager runs.
import type Docker from 'dockerode';
import { filesIn } from './run-tool.js';

export const HOST_GATEWAY_NAME = 'host.docker.internal';

interface IpamConfig { Subnet?: string; Gateway?: string }

/** The default bridge's IPv4 gateway from its inspect: the Gateway field, else the Subnet's first host address. */
export function gatewayOfBridge(bridge: { IPAM?: { Config?: IpamConfig[] | null } } | undefined): string | undefined {
  const v4 = (bridge?.IPAM?.Config ?? []).filter((c) => (c.Gateway ?? c.Subnet ?? '').includes('.'));
  const named = v4.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
  if (named) return named.split('/')[0];
  for (const c of v4) {
    const first = firstHost(c.Subnet);
    if (first) return first;
  }
  return undefined;
}

/** 172.17.0.0/16 → 172.17.0.1; undefined for anything that is not an IPv4 CIDR with room for a host. */
export function firstHost(cidr: string | undefined): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr ?? '');
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 30) return undefined;
  const ip = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = ip - (ip % size) + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join('.');
}

/** The default bridge's IPv4 gateway, as dockerd computes host-gateway when none is configured. */
export async function bridgeGateway(docker: Docker): Promise<string | undefined> {
  const bridge = (await docker.getNetwork('bridge').inspect().catch(() => undefined)) as { IPAM?: { Config?: IpamConfig[] } } | undefined;
  return gatewayOfBridge(bridge);
}

/** The address a hosts file gives `name` (the first IPv4 line naming it), or undefined. */
export function hostsEntry(hosts: string, name = HOST_GATEWAY_NAME): string | undefined {
  for (const raw of hosts.split('\n')) {
    const [addr, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (addr && addr.includes('.') && names.some((n) => n.toLowerCase() === name)) return addr;
  }
  return undefined;
}

/** What the engine wrote for host.docker.internal into a container's /etc/hosts (undefined: no such line). */
export async function hostGatewayIn(container: Docker.Container): Promise<string | undefined> {
  const files = await filesIn(container, ['/etc/hosts']);
  const hosts = files['/etc/hosts'];
  return hosts ? hostsEntry(hosts.toString('utf8')) : undefined;
}

/**
 * Asks the engine itself where host-gateway lands: a throwaway container of `image` (run with
 * `cmd`, e.g. `--version`), with no network and host.docker.internal mapped to host-gateway, and
 * the line dockerd wrote into its hosts file when it started it (removed right after). This honours a
 * configured `host-gateway-ip`, which no inspect shows. Swarm does not resolve host-gateway,
 * so its services are given this address. Undefined when the engine refuses the probe.
 */
export async function probeHostGateway(docker: Docker, image: string, cmd: string[]): Promise<string | undefined> {
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: image, Cmd: cmd, Labels: { 'org.obsdeck.throwaway': 'true' },
      HostConfig: { NetworkMode: 'none', ExtraHosts: [`${HOST_GATEWAY_NAME}:host-gateway`] },
    });
    await container.start();
    return await hostGatewayIn(container);
  } catch {
    return undefined;
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
