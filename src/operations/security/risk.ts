/** RiskConfigurationType as SetRiskConfiguration and DescribeRiskConfiguration answer it. */
import type { RiskConfiguration } from '../../domain/auth-events.js';

export function renderRisk(poolId: string, clientId: string | undefined, c: RiskConfiguration | undefined): object {
  const { updatedAt, ...rest } = c ?? { updatedAt: undefined };
  return {
    UserPoolId: poolId,
    ...(clientId !== undefined ? { ClientId: clientId } : {}),
    ...rest,
    ...(updatedAt !== undefined ? { LastModifiedDate: updatedAt / 1000 } : {}),
  };
}
