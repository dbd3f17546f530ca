/**
 * The client side of USER_SRP_AUTH for tests that drive the AWS SDK by hand: the math is
 * amazon-cognito-identity-js's own AuthenticationHelper (the real client), the signature is built
 * as its CognitoUser.authenticateUserDefaultAuth builds it.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import * as cognitoJs from 'amazon-cognito-identity-js';

interface JsbnBigInteger {
  toString(radix: number): string;
}
interface ClientAuthenticationHelper {
  getLargeAValue(cb: (err: unknown, A: JsbnBigInteger) => void): void;
  generateHashDevice(deviceGroupKey: string, username: string, cb: (err: unknown) => void): void;
  getSaltDevices(): string;
  getVerifierDevices(): string;
  getRandomPassword(): string;
  getPasswordAuthenticationKey(u: string, p: string, B: JsbnBigInteger, salt: JsbnBigInteger, cb: (err: unknown, hkdf: Uint8Array) => void): void;
}
const lib = cognitoJs as unknown as {
  AuthenticationHelper: new (poolName: string) => ClientAuthenticationHelper;
  DateHelper: new () => { getNowString(): string };
};
const BigInteger = (createRequire(import.meta.url)('amazon-cognito-identity-js/lib/BigInteger.js') as {
  default: new (hex: string, radix: number) => JsbnBigInteger;
}).default;

export class SrpClient {
  private readonly helper: ClientAuthenticationHelper;
  private readonly poolName: string;
  /** SRP_A, as the client sends it. */
  readonly A: string;

  constructor(poolId: string) {
    this.poolName = poolId.split('_')[1]!;
    this.helper = new lib.AuthenticationHelper(this.poolName);
    let A: JsbnBigInteger | undefined;
    this.helper.getLargeAValue((err, v) => {
      if (err) throw err;
      A = v;
    });
    this.A = A!.toString(16);
  }

  /** The ChallengeResponses answering PASSWORD_VERIFIER with this password. */
  respond(params: Record<string, string>, password: string, timestamp = new lib.DateHelper().getNowString()): Record<string, string> {
    const user = params.USER_ID_FOR_SRP!;
    let key: Uint8Array | undefined;
    this.helper.getPasswordAuthenticationKey(user, password, new BigInteger(params.SRP_B!, 16), new BigInteger(params.SALT!, 16), (err, k) => {
      if (err) throw err;
      key = k;
    });
    const message = Buffer.concat([
      Buffer.from(this.poolName, 'utf8'),
      Buffer.from(user, 'utf8'),
      Buffer.from(params.SECRET_BLOCK!, 'base64'),
      Buffer.from(timestamp, 'utf8'),
    ]);
    return {
      USERNAME: user,
      PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK!,
      TIMESTAMP: timestamp,
      PASSWORD_CLAIM_SIGNATURE: createHmac('sha256', Buffer.from(key!)).update(message).digest('base64'),
    };
  }
}

/** A remembered device's secret, made as amazon-cognito-identity-js makes it after NewDeviceMetadata. */
export interface DeviceSecret {
  deviceKey: string;
  groupKey: string;
  password: string;
  /** ConfirmDevice's DeviceSecretVerifierConfig. */
  config: { PasswordVerifier: string; Salt: string };
}

export function makeDeviceSecret(meta: { DeviceKey: string; DeviceGroupKey: string }): DeviceSecret {
  const helper = new lib.AuthenticationHelper(meta.DeviceGroupKey);
  helper.generateHashDevice(meta.DeviceGroupKey, meta.DeviceKey, (err) => {
    if (err) throw err;
  });
  return {
    deviceKey: meta.DeviceKey,
    groupKey: meta.DeviceGroupKey,
    password: helper.getRandomPassword(),
    config: {
      Salt: Buffer.from(helper.getSaltDevices(), 'hex').toString('base64'),
      PasswordVerifier: Buffer.from(helper.getVerifierDevices(), 'hex').toString('base64'),
    },
  };
}

/** The client side of DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER (CognitoUser.getDeviceResponse). */
export class DeviceSrpClient {
  private readonly helper: ClientAuthenticationHelper;
  readonly A: string;

  constructor(private readonly device: DeviceSecret) {
    this.helper = new lib.AuthenticationHelper(device.groupKey);
    let A: JsbnBigInteger | undefined;
    this.helper.getLargeAValue((err, v) => {
      if (err) throw err;
      A = v;
    });
    this.A = A!.toString(16);
  }

  /** DEVICE_SRP_AUTH's ChallengeResponses. */
  start(username: string): Record<string, string> {
    return { USERNAME: username, DEVICE_KEY: this.device.deviceKey, SRP_A: this.A };
  }

  /** The ChallengeResponses answering DEVICE_PASSWORD_VERIFIER (with another password: a wrong proof). */
  respond(params: Record<string, string>, password = this.device.password, timestamp = new lib.DateHelper().getNowString()): Record<string, string> {
    let key: Uint8Array | undefined;
    this.helper.getPasswordAuthenticationKey(this.device.deviceKey, password, new BigInteger(params.SRP_B!, 16), new BigInteger(params.SALT!, 16), (err, k) => {
      if (err) throw err;
      key = k;
    });
    const message = Buffer.concat([
      Buffer.from(this.device.groupKey, 'utf8'),
      Buffer.from(this.device.deviceKey, 'utf8'),
      Buffer.from(params.SECRET_BLOCK!, 'base64'),
      Buffer.from(timestamp, 'utf8'),
    ]);
    return {
      USERNAME: params.USERNAME!,
      PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK!,
      TIMESTAMP: timestamp,
      PASSWORD_CLAIM_SIGNATURE: createHmac('sha256', Buffer.from(key!)).update(message).digest('base64'),
      DEVICE_KEY: this.device.deviceKey,
    };
  }
}
