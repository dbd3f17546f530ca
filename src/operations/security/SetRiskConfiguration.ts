import net from 'node:net';
import type { SetRiskConfigurationRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RiskConfiguration } from '../../domain/auth-events.js';
import { loadClient } from '../../domain/clients.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { renderRisk } from './risk.js';
import { securedPool } from './shared.js';

/** An IPv4 or IPv6 address range in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`). */
function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const v = net.isIP(m[1]!);
  return v !== 0 && Number(m[2]) <= (v === 4 ? 32 : 128);
}

/**
 * Stores the pool's risk configuration, or (with ClientId) one client's, which then applies to that
 * client instead of the pool's. A full replace: what the request leaves out is no longer set.
 */
export async function SetRiskConfiguration(input: SetRiskConfigurationRequest, ctx: Ctx) {
  const pool = await securedPool(ctx.store, input.UserPoolId!);
  if (input.ClientId !== undefined) await loadClient(ctx.store, pool.id, input.ClientId);
  const ex = input.RiskExceptionConfiguration;
  for (const [name, list] of [['BlockedIPRangeList', ex?.BlockedIPRangeList], ['SkippedIPRangeList', ex?.SkippedIPRangeList]] as const) {
    const bad = list?.find((r) => !isCidr(r));
    if (bad !== undefined) throw errors.invalidParameter(`RiskExceptionConfiguration.${name}: ${JSON.stringify(bad)} is not an IP address range in CIDR notation (for example 192.0.2.0/24).`);
  }
  const ato = input.AccountTakeoverRiskConfiguration;
  const notifies = ['LowAction', 'MediumAction', 'HighAction'].some((k) => (ato?.Actions as Record<string, { Notify?: boolean }> | undefined)?.[k]?.Notify === true);
  if (notifies && !ato?.NotifyConfiguration) {
    throw errors.invalidParameter('AccountTakeoverRiskConfiguration.NotifyConfiguration is required when an action notifies the user (Notify true).');
  }
  const config: RiskConfiguration = {
    ...(input.CompromisedCredentialsRiskConfiguration ? { CompromisedCredentialsRiskConfiguration: input.CompromisedCredentialsRiskConfiguration } : {}),
    ...(ato ? { AccountTakeoverRiskConfiguration: ato } : {}),
    ...(ex ? { RiskExceptionConfiguration: ex } : {}),
    updatedAt: ctx.now,
  };
  await ctx.store.authEvents.putRisk(pool.id, input.ClientId ?? '', config);
  return { RiskConfiguration: renderRisk(pool.id, input.ClientId, config) };
}
