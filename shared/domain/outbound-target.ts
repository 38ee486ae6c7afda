import { BlockList, isIP } from 'node:net';

/**
 * Where Slipway may send a webhook. In AWS: https only, and never an address inside the network Slipway
 * runs in (private, loopback, link-local, including the instance metadata service), so a hook cannot be
 * used to reach internal services. Locally loopback and http are allowed so tests and demos work.
 */
export type TargetPolicy = { httpsOnly: boolean; allowPrivate: boolean };

export const AWS_TARGET_POLICY: TargetPolicy = { httpsOnly: true, allowPrivate: false };
export const LOCAL_TARGET_POLICY: TargetPolicy = { httpsOnly: false, allowPrivate: true };

const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
export const isInternalAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return INTERNAL.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

/** Why a URL may not be a target under the policy (checked before any name is resolved), or null. */
export const urlRefusal = (policy: TargetPolicy, url: string): string | null => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials; put them in the secret';
  if (policy.httpsOnly && parsed.protocol !== 'https:') return 'must use https';
  if (!policy.httpsOnly && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must use http or https';
  return null;
};

/** Why resolved addresses may not be connected to, or null; every one is checked, not just the first. */
export const addressRefusal = (policy: TargetPolicy, addresses: readonly string[]): string | null => {
  if (addresses.length === 0) return 'resolves to no address';
  if (policy.allowPrivate) return null;
  const internal = addresses.find(isInternalAddress);
  return internal === undefined ? null : `resolves to ${internal}, a private, loopback or link-local address`;
};
