import { ShiplineError } from '../core/errors.js';
import type { Db } from './database.js';
import type { Service, ServicesRepo } from './services.js';

/** An alias that received deploys but matches no service. Derived from the deploys themselves. */
export interface Suggestion {
  alias: string;
  deployCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export function suggestionsRepo(db: Db, services: ServicesRepo) {
  const k = db.kysely;

  async function find(alias?: string): Promise<Suggestion[]> {
    let query = k
      .selectFrom('deploys')
      .select([
        'service_alias',
        (eb) => eb.fn.countAll<number | string>().as('count'),
        (eb) => eb.fn.min('received_at').as('first'),
        (eb) => eb.fn.max('received_at').as('last'),
      ])
      .where('service_id', 'is', null)
      .where('service_alias', 'not in', (eb) => eb.selectFrom('dismissed_suggestions').select('alias'))
      .groupBy('service_alias')
      .orderBy('service_alias');
    if (alias !== undefined) query = query.where('service_alias', '=', alias);
    const rows = await query.execute();
    return rows.map((r) => ({ alias: r.service_alias, deployCount: Number(r.count), firstSeenAt: r.first, lastSeenAt: r.last }));
  }

  async function requireOpen(alias: string): Promise<void> {
    if ((await find(alias)).length === 0) throw new ShiplineError('suggestion.not_found');
  }

  return {
    list: () => find(),

    /** Creates a service named after the alias, or attaches the alias to `serviceId`; earlier deploys follow. */
    async accept(alias: string, serviceId?: string): Promise<Service> {
      await requireOpen(alias);
      return serviceId ? services.addAlias(serviceId, alias) : services.create({ name: alias });
    },

    /** Hides the suggestion; deploys under the alias are still recorded and counted. */
    async dismiss(alias: string): Promise<void> {
      await requireOpen(alias);
      await k
        .insertInto('dismissed_suggestions')
        .values({ alias, dismissed_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('alias').doNothing())
        .execute();
    },
  };
}

export type SuggestionsRepo = ReturnType<typeof suggestionsRepo>;
