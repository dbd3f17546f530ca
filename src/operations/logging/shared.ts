/** The wire form and the rules of a pool's log delivery configuration. */
import type { LogConfigurationType } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { PoolRecord } from '../../store/types.js';

const DESTINATIONS = ['CloudWatchLogsConfiguration', 'S3Configuration', 'FirehoseConfiguration'] as const;

/**
 * The configurations of a SetLogDeliveryConfiguration request, as they will be stored: the API
 * reference's rules (LogConfigurationType): userNotification is ERROR to CloudWatch Logs;
 * userAuthEvents is INFO to one of CloudWatch Logs, S3 or Firehose, with the Plus feature plan. One
 * configuration per event source, one destination each. Messages ours (unverified).
 */
export function checkLogConfigurations(pool: PoolRecord, list: LogConfigurationType[]): LogConfigurationType[] {
  const seen = new Set<string>();
  return list.map((c, i) => {
    const where = `LogConfigurations[${i}]`;
    const source = c.EventSource!;
    if (seen.has(source)) throw errors.invalidParameter(`${where}: the event source ${source} is configured more than once.`);
    seen.add(source);
    const given = DESTINATIONS.filter((d) => c[d] !== undefined);
    if (given.length !== 1) {
      throw errors.invalidParameter(`${where}: give exactly one destination (CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration); ${given.length} given.`);
    }
    const dest = given[0]!;
    const arn = dest === 'CloudWatchLogsConfiguration' ? c.CloudWatchLogsConfiguration!.LogGroupArn : dest === 'S3Configuration' ? c.S3Configuration!.BucketArn : c.FirehoseConfiguration!.StreamArn;
    if (!arn) throw errors.invalidParameter(`${where}.${dest}: the ARN of the destination is required.`);
    if (source === 'userNotification') {
      if (c.LogLevel !== 'ERROR') throw errors.invalidParameter(`${where}: userNotification logs have the log level ERROR.`);
      if (dest !== 'CloudWatchLogsConfiguration') throw errors.invalidParameter(`${where}: userNotification logs go to CloudWatch Logs (CloudWatchLogsConfiguration).`);
    } else {
      if (c.LogLevel !== 'INFO') throw errors.invalidParameter(`${where}: userAuthEvents logs have the log level INFO.`);
      if (pool.settings.UserPoolTier !== 'PLUS') throw errors.featureUnavailableInTier('userAuthEvents logs require the PLUS user pool tier.');
    }
    return { LogLevel: c.LogLevel, EventSource: source, [dest]: dest === 'CloudWatchLogsConfiguration' ? { LogGroupArn: arn } : dest === 'S3Configuration' ? { BucketArn: arn } : { StreamArn: arn } } as LogConfigurationType;
  });
}

/** LogDeliveryConfigurationType. */
export const renderLogDelivery = (poolId: string, configs: unknown[]) => ({ UserPoolId: poolId, LogConfigurations: configs });
