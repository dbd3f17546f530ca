import type { GetCSVHeaderRequest } from '@aws-sdk/client-cognito-identity-provider';
import { csvHeader } from '../../domain/import-csv.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

/** The header row of the pool's import file: its standard and custom attributes, cognito:mfa_enabled, cognito:username. */
export async function GetCSVHeader(input: GetCSVHeaderRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { UserPoolId: pool.id, CSVHeader: csvHeader(pool) };
}
