/** meta: facts about the installation (the master-key check value). */
import type { Db } from '../db.js';

export class MetaRepo {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value;
  }

  /** Stores the value unless the key has one already (the first node to start wins). */
  async putIfAbsent(key: string, value: string): Promise<void> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  }
}
