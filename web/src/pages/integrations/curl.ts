import type { Webhook } from './types';

/** Single-quoted for a POSIX shell: safe whatever the text holds. */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Where the shell puts the time of the deploy into the body: `date -u` when the command runs, not when it was copied. */
const NOW_IN_SHELL = '$(date -u +%Y-%m-%dT%H:%M:%SZ)';
const NOW_MARK = '@@deployed_at@@';

/** A deploy as a pipeline would POST it: the OpsLevel-compatible body (docs/deploys.md), stamped with the shell's time. */
export function deployCurl(url: string): string {
  const body = {
    service: 'shopping_cart',
    environment: 'Production',
    description: 'Deployed by CI Pipeline: Deploy #234',
    deployed_at: NOW_MARK,
    deployer: { email: 'ci@example.com', name: 'CI Pipeline' },
  };
  // The single-quoted body closes its quotes around the date: "'"$(date …)"'" inside '…'.
  const data = shellQuote(JSON.stringify(body, null, 2)).replace(NOW_MARK, () => `'"${NOW_IN_SHELL}"'`);
  return `curl -X POST ${shellQuote(url)} \\\n  -H 'Content-Type: application/json' \\\n  -d ${data}`;
}

/**
 * A delivery to an external webhook, authenticated the way it expects (src/server/routes/hooks.ts).
 * `credential` is the key or signing secret when it is known (only right after creating it);
 * otherwise the command reads it from $KEY or $SECRET.
 */
export function webhookCurl(hook: Webhook, credential?: string): string {
  const url = shellQuote(hook.url);
  switch (hook.auth.type) {
    case 'api_key':
      return [
        credential ? `KEY=${shellQuote(credential)}` : '# KEY is the webhook key shown when it was created',
        `curl -X POST ${url} -H "X-Shipline-Key: $KEY" \\`,
        `  -H 'Content-Type: application/json' -d '{"status":"green"}'`,
      ].join('\n');
    case 'hmac_sha256': {
      const header = hook.auth.header ?? 'X-Hub-Signature-256';
      return [
        credential ? `SECRET=${shellQuote(credential)}` : '# SECRET is the signing secret shown when the webhook was created',
        `BODY='{"action":"published"}'`,
        `SIG="sha256=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')"`,
        `curl -X POST ${url} -H "${header}: $SIG" \\`,
        `  -H 'Content-Type: application/json' -d "$BODY"`,
      ].join('\n');
    }
    case 'standard_webhooks':
      return [
        credential ? `SECRET=${shellQuote(credential)}` : '# SECRET is the whsec_ secret shown when the webhook was created',
        `ID=msg_$(date +%s) TS=$(date +%s) BODY='{"type":"invoice.paid"}'`,
        `KEY_HEX=$(printf '%s' "\${SECRET#whsec_}" | base64 -d | xxd -p -c 256)`,
        `SIG=$(printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY_HEX -binary | base64)`,
        `curl -X POST ${url} -H "webhook-id: $ID" -H "webhook-timestamp: $TS" \\`,
        `  -H "webhook-signature: v1,$SIG" -H 'Content-Type: application/json' -d "$BODY"`,
      ].join('\n');
  }
}

export const AUTH_LABEL: Record<Webhook['auth']['type'], string> = {
  api_key: 'API key (X-Shipline-Key header or ?key=)',
  hmac_sha256: 'HMAC-SHA256 signature (GitHub style)',
  standard_webhooks: 'Standard Webhooks signature',
};
