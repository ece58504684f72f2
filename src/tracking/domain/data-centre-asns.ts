/**
 * Networks of well-known hosting and cloud providers. People browse from homes, offices and mobile
 * networks; a page view from one of these is a crawler, a monitoring probe or a scraper, and would
 * otherwise hold a tracking number (and could be credited with a call) for nothing.
 *
 * Curated rather than complete: missing a small host costs a leased number now and then; listing an ISP
 * by mistake would hide real visitors. Corporate VPN egress in a cloud is the known false positive.
 */
export const DATA_CENTRE_ASNS: ReadonlyMap<number, string> = new Map([
  [16509, 'Amazon AWS'],
  [14618, 'Amazon AWS'],
  [8987, 'Amazon AWS (Ireland)'],
  [396982, 'Google Cloud'],
  [8075, 'Microsoft Azure'],
  [14061, 'DigitalOcean'],
  [16276, 'OVH'],
  [24940, 'Hetzner'],
  [213230, 'Hetzner Cloud'],
  [63949, 'Akamai Linode'],
  [20473, 'Vultr (Choopa)'],
  [31898, 'Oracle Cloud'],
  [45102, 'Alibaba Cloud'],
  [132203, 'Tencent Cloud'],
  [12876, 'Scaleway'],
  [51167, 'Contabo'],
  [60781, 'Leaseweb NL'],
  [30633, 'Leaseweb US'],
  [36352, 'ColoCrossing'],
  [9009, 'M247'],
  [62567, 'DigitalOcean'],
  [197540, 'netcup'],
  [46606, 'Unified Layer'],
]);
