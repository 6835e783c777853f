import { describe, expect, it } from 'vitest';
import { firstHost, gatewayOfBridge, hostsEntry } from './host-gateway.js';

// `docker network inspect bridge` as dockerd 20.10 shows it on its first start on a machine (no
// docker0 yet: no Gateway) and after a restart (Gateway named).
const FIRST_START = { Name: 'bridge', IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16' }] } };
const RESTARTED = { Name: 'bridge', IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] } };

describe('host-gateway', () => {
  it('is the bridge\'s Gateway when the inspect names one, and the subnet\'s first host when it does not', () => {
    expect(gatewayOfBridge(RESTARTED)).toBe('172.17.0.1');
    expect(gatewayOfBridge(FIRST_START)).toBe('172.17.0.1');
    // A daemon with another default pool or --bip: the same rule, on its own subnet.
    expect(gatewayOfBridge({ IPAM: { Config: [{ Subnet: '10.99.64.0/20' }] } })).toBe('10.99.64.1');
    expect(gatewayOfBridge({ IPAM: { Config: [{ Subnet: '192.168.5.0/24', Gateway: '192.168.5.254' }] } })).toBe('192.168.5.254');
  });

  it('takes the IPv4 entry of a dual-stack bridge and gives nothing when there is none', () => {
    expect(gatewayOfBridge({ IPAM: { Config: [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '172.18.0.0/16' }] } })).toBe('172.18.0.1');
    expect(gatewayOfBridge({ IPAM: { Config: [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }] } })).toBeUndefined();
    expect(gatewayOfBridge({ IPAM: { Config: null } })).toBeUndefined();
    expect(gatewayOfBridge(undefined)).toBeUndefined();
  });

  it('computes a subnet\'s first host address, refusing what is not an IPv4 CIDR', () => {
    expect(firstHost('172.17.0.0/16')).toBe('172.17.0.1');
    expect(firstHost('172.17.5.9/16')).toBe('172.17.0.1');
    expect(firstHost('10.0.0.0/8')).toBe('10.0.0.1');
    expect(firstHost('192.168.1.128/25')).toBe('192.168.1.129');
    for (const bad of ['172.17.0.0', '300.1.1.1/16', '10.0.0.0/31', 'fd00::/64', '', undefined]) expect(firstHost(bad)).toBeUndefined();
  });

  it('reads host.docker.internal from a hosts file as dockerd writes it', () => {
    const hosts = [
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      '# 10.0.0.9 host.docker.internal (a comment)',
      '172.17.0.1\thost.docker.internal',
      '172.20.0.3\tb6a1f0c2d9e4',
    ].join('\n');
    expect(hostsEntry(hosts)).toBe('172.17.0.1');
    expect(hostsEntry('172.17.0.1 other\n')).toBeUndefined();
    expect(hostsEntry('fd00::1 host.docker.internal\n10.1.2.3 Host.Docker.Internal')).toBe('10.1.2.3');
  });
});
