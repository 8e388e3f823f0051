import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ShiplineError } from '../core/errors.js';
import type { Db } from './database.js';
import { sequenceScope } from './deploy-batch.js';
import type { Page, PageRequest } from './pagination.js';
import { decodeCursor, DEFAULT_LIMIT, toPage } from './pagination.js';
import type { Database, ServicesTable } from './schema.js';

export interface Service {
  id: string;
  name: string;
  aliases: string[];
  description: string | null;
  owner: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ServiceFields {
  name?: string | undefined;
  aliases?: string[] | undefined;
  description?: string | null | undefined;
  owner?: string | null | undefined;
  tags?: string[] | undefined;
}

type Q = Kysely<Database> | Transaction<Database>;

function toService(row: ServicesTable, aliases: string[]): Service {
  return {
    id: row.id,
    name: row.name,
    aliases: [...aliases].sort(),
    description: row.description,
    owner: row.owner,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function cleanAliases(name: string, aliases: readonly string[] = []): string[] {
  return [...new Set([name, ...aliases].map((a) => a.trim()).filter((a) => a !== ''))];
}

async function aliasesOf(q: Q, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return map;
  const rows = await q.selectFrom('service_aliases').select(['alias', 'service_id']).where('service_id', 'in', ids).execute();
  for (const row of rows) map.get(row.service_id)?.push(row.alias);
  return map;
}

/** Finds a service row by id, name or alias. */
async function findRow(q: Q, idOrAlias: string): Promise<ServicesTable | undefined> {
  return q
    .selectFrom('services')
    .selectAll('services')
    .where((eb) =>
      eb.or([
        eb('services.id', '=', idOrAlias),
        eb('services.id', 'in', eb.selectFrom('service_aliases').select('service_id').where('alias', '=', idOrAlias)),
      ]),
    )
    .executeTakeFirst();
}

/**
 * Claims aliases for a service: rejects any alias another service holds, then attaches every
 * deploy recorded under those aliases while they were unclaimed, carrying their numbering along.
 */
async function claimAliases(trx: Q, serviceId: string, aliases: string[]): Promise<void> {
  if (aliases.length === 0) return;
  const taken = await trx
    .selectFrom('service_aliases')
    .select(['alias'])
    .where('alias', 'in', aliases)
    .where('service_id', '!=', serviceId)
    .execute();
  if (taken.length > 0) {
    throw new ShiplineError('service.alias_conflict', `Alias already used by another service: ${taken.map((t) => t.alias).join(', ')}`);
  }
  const existing = new Set(
    (await trx.selectFrom('service_aliases').select('alias').where('service_id', '=', serviceId).execute()).map((r) => r.alias),
  );
  const fresh = aliases.filter((a) => !existing.has(a));
  if (fresh.length === 0) return;
  await trx
    .insertInto('service_aliases')
    .values(fresh.map((alias) => ({ alias, service_id: serviceId })))
    .execute();
  await trx
    .updateTable('deploys')
    .set({ service_id: serviceId })
    .where('service_id', 'is', null)
    .where('service_alias', 'in', fresh)
    .execute();
  await trx.deleteFrom('dismissed_suggestions').where('alias', 'in', fresh).execute();
  const sequences = await trx
    .selectFrom('deploy_sequences')
    .select((eb) => eb.fn.max('last_number').as('top'))
    .where(
      'scope',
      'in',
      fresh.map((a) => sequenceScope(null, a)),
    )
    .executeTakeFirst();
  const top = Number(sequences?.top ?? 0);
  if (top > 0) {
    await trx
      .insertInto('deploy_sequences')
      .values({ scope: sequenceScope(serviceId, ''), last_number: top })
      .onConflict((oc) =>
        oc.column('scope').doUpdateSet((eb) => ({
          last_number: eb
            .case()
            .when('deploy_sequences.last_number', '<', top)
            .then(top)
            .else(eb.ref('deploy_sequences.last_number'))
            .end(),
        })),
      )
      .execute();
  }
}

async function nameTaken(q: Q, name: string, exceptId?: string): Promise<boolean> {
  let query = q.selectFrom('services').select('id').where('name', '=', name);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export function servicesRepo(db: Db) {
  const k = db.kysely;

  async function get(idOrAlias: string, q: Q = k): Promise<Service> {
    const row = await findRow(q, idOrAlias);
    if (!row) throw new ShiplineError('service.not_found');
    return toService(row, (await aliasesOf(q, [row.id])).get(row.id) ?? []);
  }

  return {
    get,

    /** Resolves an id, name or alias to a service id, or undefined. */
    async resolveId(idOrAlias: string): Promise<string | undefined> {
      return (await findRow(k, idOrAlias))?.id;
    },

    async create(fields: ServiceFields & { name: string }): Promise<Service> {
      const name = fields.name.trim();
      return k.transaction().execute(async (trx) => {
        if (await nameTaken(trx, name)) throw new ShiplineError('service.name_conflict');
        const now = new Date().toISOString();
        const id = randomUUID();
        await trx
          .insertInto('services')
          .values({
            id,
            name,
            description: fields.description ?? null,
            owner: fields.owner ?? null,
            tags: JSON.stringify(fields.tags ?? []),
            created_at: now,
            updated_at: now,
          })
          .execute();
        await claimAliases(trx, id, cleanAliases(name, fields.aliases));
        return get(id, trx);
      });
    },

    async update(idOrAlias: string, fields: ServiceFields): Promise<Service> {
      return k.transaction().execute(async (trx) => {
        const current = await get(idOrAlias, trx);
        const name = fields.name?.trim() || current.name;
        if (name !== current.name && (await nameTaken(trx, name, current.id))) throw new ShiplineError('service.name_conflict');
        await trx
          .updateTable('services')
          .set({
            name,
            description: fields.description === undefined ? current.description : fields.description,
            owner: fields.owner === undefined ? current.owner : fields.owner,
            tags: JSON.stringify(fields.tags ?? current.tags),
            updated_at: new Date().toISOString(),
          })
          .where('id', '=', current.id)
          .execute();
        if (fields.aliases !== undefined) {
          // The given list replaces the aliases; the name always stays one of them.
          const wanted = cleanAliases(name, fields.aliases);
          await trx.deleteFrom('service_aliases').where('service_id', '=', current.id).where('alias', 'not in', wanted).execute();
          await claimAliases(trx, current.id, wanted);
        } else if (name !== current.name) {
          await claimAliases(trx, current.id, [name]);
        }
        return get(current.id, trx);
      });
    },

    async addAlias(idOrAlias: string, alias: string): Promise<Service> {
      return k.transaction().execute(async (trx) => {
        const current = await get(idOrAlias, trx);
        await claimAliases(trx, current.id, cleanAliases(alias));
        return get(current.id, trx);
      });
    },

    /** Deletes a service; its deploys stay, unclaimed again, so their aliases show up as suggestions. */
    async remove(idOrAlias: string): Promise<void> {
      await k.transaction().execute(async (trx) => {
        const current = await get(idOrAlias, trx);
        await trx.updateTable('deploys').set({ service_id: null }).where('service_id', '=', current.id).execute();
        await trx.deleteFrom('service_aliases').where('service_id', '=', current.id).execute();
        await trx.deleteFrom('services').where('id', '=', current.id).execute();
      });
    },

    async list(page: PageRequest = {}): Promise<Page<Service>> {
      const limit = page.limit ?? DEFAULT_LIMIT;
      let query = k
        .selectFrom('services')
        .selectAll()
        .orderBy('name')
        .orderBy('id')
        .limit(limit + 1);
      if (page.cursor) {
        const [name, id] = decodeCursor(page.cursor, 2) as [string, string];
        query = query.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
      }
      const rows = await query.execute();
      const aliases = await aliasesOf(
        k,
        rows.map((r) => r.id),
      );
      return toPage(
        rows,
        limit,
        (r) => toService(r, aliases.get(r.id) ?? []),
        (r) => [r.name, r.id],
      );
    },
  };
}

export type ServicesRepo = ReturnType<typeof servicesRepo>;
