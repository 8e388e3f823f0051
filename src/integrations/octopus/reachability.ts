/**
 * Octopus delivers to Shipline's public URL. When that URL names this machine (the default,
 * `http://localhost:<port>`) and the Octopus server is elsewhere, deliveries cannot arrive and
 * only the polling fallback works: say so on the connection instead of failing quietly.
 */
const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1|0\.0\.0\.0)$/i;

export function unreachableWarning(publicUrl: string, serverUrl: string): string | null {
  let shipline: URL;
  let octopus: URL;
  try {
    shipline = new URL(publicUrl);
    octopus = new URL(serverUrl);
  } catch {
    return null;
  }
  if (!LOCAL.test(shipline.hostname) || LOCAL.test(octopus.hostname)) return null;
  return `Octopus at ${octopus.host} cannot reach ${shipline.origin}: set SHIPLINE_PUBLIC_URL to an address it can reach (until then only polling sees deployments finish)`;
}
