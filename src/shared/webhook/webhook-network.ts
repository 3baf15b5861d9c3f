import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may go (SSRF): public addresses, plus the networks an administrator lets
 * through (WEBHOOK_ALLOWED_NETWORKS). Loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast and reserved ranges are refused unless
 * allowed: a rule editor must not turn the service into a probe of its own network.
 */
const NOT_PUBLIC: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  // NAT64 reaches IPv4 addresses, private ones included.
  ['64:ff9b::', 96, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

export class WebhookAddressRefused extends Error {}

export class WebhookNetworkPolicy {
  private readonly notPublic = new BlockList();
  private readonly allowed = new BlockList();

  /** `allowedNetworks`: comma-separated CIDRs; throws on a malformed one (at boot). */
  constructor(allowedNetworks: string) {
    for (const [network, prefix, type] of NOT_PUBLIC) this.notPublic.addSubnet(network, prefix, type);
    for (const cidr of allowedNetworks
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)) {
      const [network, prefix] = cidr.split('/');
      const type = isIP(network) === 4 ? 'ipv4' : isIP(network) === 6 ? 'ipv6' : null;
      const bits = Number(prefix);
      if (!type || !Number.isInteger(bits) || bits < 0 || bits > (type === 'ipv4' ? 32 : 128))
        throw new Error(`WEBHOOK_ALLOWED_NETWORKS: ${cidr} is not a CIDR network`);
      this.allowed.addSubnet(network, bits, type);
    }
  }

  /** Throws WebhookAddressRefused when a call must not go to this IP address. */
  check(address: string): void {
    const [ip, type] = normalised(address);
    if (!type) throw new WebhookAddressRefused(`${address} is not an IP address`);
    if (this.notPublic.check(ip, type) && !this.allowed.check(ip, type))
      throw new WebhookAddressRefused(
        `${ip} is not a public address (let its network through with WEBHOOK_ALLOWED_NETWORKS)`,
      );
  }
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1, ::ffff:a00:1) is checked as the IPv4 address it is. */
function normalised(address: string): [string, 'ipv4' | 'ipv6' | null] {
  const bare = address.replace(/^\[|\]$/g, '');
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (dotted && isIP(dotted[1]) === 4) return [dotted[1], 'ipv4'];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (hex) {
    const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return [`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4'];
  }
  // Any other spelling of an IPv4-mapped address: refused rather than guessed at.
  if (/^::ffff:/i.test(bare)) return [bare, null];
  const version = isIP(bare);
  return [bare, version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null];
}

/** The host of a URL when it is an IP literal (no name to resolve), else null. */
export function ipLiteralOf(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : null;
}
