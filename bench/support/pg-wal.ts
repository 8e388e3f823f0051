import type pg from 'pg';

/**
 * The cluster's WAL position in bytes (`pg_current_wal_lsn()`): two readings apart is the WAL
 * written between them, by every database of the cluster.
 */
export async function walPosition(client: pg.ClientBase): Promise<bigint> {
  const { lsn } = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!;
  // An LSN such as '0/1A2B3C4D': the high and low 32 bits in hex.
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
