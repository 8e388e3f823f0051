import { BlockList, isIP } from 'node:net';
import { NonRetriableError } from '../../engine/action.js';

/**
 * Which addresses outgoing requests may reach. A reaction's author controls the URL (and maybe
 * the DNS behind it), so without this guard `http.request` would be a way into the host's
 * loopback services, the private network and the cloud metadata endpoint (SSRF).
 */

/** Thrown when a host resolves to (or is) an address outside the public internet. */
export class SsrfRefusedError extends NonRetriableError {
  readonly host: string;
  readonly address: string;

  constructor(host: string, address: string, kind: string) {
    super(
      `Refused to connect to ${host} (${address}): it is a ${kind} address. ` +
        `To allow it, add the host, the address or its CIDR to SHIPLINE_ALLOW_HOSTS`,
    );
    this.host = host;
    this.address = address;
  }
}

export interface AddressPolicy {
  /** Throws `SsrfRefusedError` unless `host` may connect to `address`. */
  check(host: string, address: string): void;
  /** True when the host name (or IP literal) is on the allow list as written. */
  isAllowedHost(host: string): boolean;
}

type Family = 'ipv4' | 'ipv6';
type Range = readonly [network: string, prefix: number, family: Family];

// Most specific first, so the message names the metadata endpoint rather than "link-local".
const REFUSED: ReadonlyArray<readonly [kind: string, ranges: readonly Range[]]> = [
  [
    'cloud metadata',
    [
      ['169.254.169.254', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ],
  ],
  [
    'loopback',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  ],
  [
    'unspecified',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
  ],
  [
    'private',
    [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ],
  ],
  [
    'link-local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  ['carrier-grade NAT', [['100.64.0.0', 10, 'ipv4']]],
  [
    'multicast',
    [
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
  // 240/4 is reserved and includes the broadcast address; nothing legitimate lives there.
  ['reserved', [['240.0.0.0', 4, 'ipv4']]],
];

const refusedLists = REFUSED.map(([kind, ranges]) => {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return [kind, list] as const;
});

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, in any spelling) as its IPv4 address, so it
 * is judged (and reported) as the IPv4 address the kernel will actually connect to.
 */
export function unmapIPv4(address: string): string {
  if (familyOf(address) !== 'ipv6') return address;
  // The URL parser canonicalises IPv6 (compression, lower case, hex tail).
  const canonical = stripBrackets(new URL(`http://[${address}]/`).hostname);
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!match) return address;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address, or undefined if it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  if (familyOf(address) !== 'ipv6') return undefined;
  // The URL parser canonicalises IPv6: lower case, a dotted IPv4 tail in hex, one `::` at most.
  const canonical = stripBrackets(new URL(`http://[${address}]/`).hostname);
  const [head = '', tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

const ipv4Of = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
const zeros = (groups: number[], from: number, to: number) => groups.slice(from, to).every((g) => g === 0);

/**
 * IPv6 forms that carry an IPv4 address a gateway or the kernel may connect to: NAT64
 * (64:ff9b::/96, RFC 6052), 6to4 (2002::/16, RFC 3056), IPv4-compatible (::/96, RFC 4291) and
 * SIIT (::ffff:0:0:0/96, RFC 6145). Returns the IPv4 address and the form's name.
 */
function embeddedIPv4(address: string): { ipv4: string; form: string } | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(g, 2, 6)) return { ipv4: ipv4Of(g[6]!, g[7]!), form: 'NAT64' };
  if (g[0] === 0x2002) return { ipv4: ipv4Of(g[1]!, g[2]!), form: '6to4' };
  if (zeros(g, 0, 6)) return { ipv4: ipv4Of(g[6]!, g[7]!), form: 'IPv4-compatible' };
  if (zeros(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return { ipv4: ipv4Of(g[6]!, g[7]!), form: 'SIIT' };
  return undefined;
}

/** The kind of non-public address `address` is, or undefined for a public one. */
export function classifyAddress(address: string): string | undefined {
  const plain = unmapIPv4(stripBrackets(address));
  const family = familyOf(plain);
  if (!family) return undefined;
  for (const [kind, list] of refusedLists) if (list.check(plain, family)) return kind;
  const embedded = embeddedIPv4(plain);
  if (embedded) {
    const kind = classifyAddress(embedded.ipv4);
    if (kind) return `${embedded.form}-embedded ${kind}`;
  }
  return undefined;
}

function normaliseHost(host: string): string {
  return stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
}

/** How many host and address verdicts a policy keeps. */
const VERDICTS_KEPT = 1024;

/**
 * The policy for an allow list of host names (exact, case-insensitive), IP addresses and CIDRs
 * (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`), as SHIPLINE_ALLOW_HOSTS gives them.
 */
export function createAddressPolicy(allowHosts: readonly string[]): AddressPolicy {
  const names = new Set<string>();
  const addresses = new BlockList();
  for (const raw of allowHosts) {
    const entry = normaliseHost(raw);
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const network = stripBrackets(entry.slice(0, slash));
      const prefix = Number(entry.slice(slash + 1));
      const family = familyOf(network);
      const max = family === 'ipv4' ? 32 : 128;
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw new Error(`SHIPLINE_ALLOW_HOSTS: "${raw}" is not a valid CIDR`);
      }
      addresses.addSubnet(network, prefix, family);
      continue;
    }
    const family = familyOf(entry);
    if (family) addresses.addAddress(unmapIPv4(entry), familyOf(unmapIPv4(entry))!);
    else names.add(entry);
  }

  const isAllowedAddress = (address: string): boolean => {
    const plain = unmapIPv4(address);
    const family = familyOf(plain);
    return family !== undefined && addresses.check(plain, family);
  };

  const isAllowedHost = (host: string): boolean => {
    const name = normaliseHost(host);
    return names.has(name) || (familyOf(name) !== undefined && isAllowedAddress(name));
  };

  // The verdict for a host and address depends on nothing else (the allow list is fixed), and
  // working it out builds a SocketAddress per range list: 14 µs for a public IPv4 address, 33 for
  // an IPv6 one. A request to an IP literal asks on every call, so verdicts are kept; the map is
  // emptied when full, so hostile variety costs only the uncached price again.
  const verdicts = new Map<string, string | null>();
  const verdictOf = (host: string, plain: string): string | null => {
    const key = `${host} ${plain}`;
    let kind = verdicts.get(key);
    if (kind === undefined) {
      kind = isAllowedHost(host) || isAllowedAddress(plain) ? null : (classifyAddress(plain) ?? null);
      if (verdicts.size >= VERDICTS_KEPT) verdicts.clear();
      verdicts.set(key, kind);
    }
    return kind;
  };

  return {
    isAllowedHost,
    check(host, address) {
      const plain = stripBrackets(address);
      const kind = verdictOf(host, plain);
      if (kind !== null) throw new SsrfRefusedError(host, plain, kind);
    },
  };
}
