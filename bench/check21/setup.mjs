// usage: node setup.mjs URL SIZE OUT.json
import { api, pool, importCsv } from './lib.mjs';
import { writeFileSync } from 'node:fs';
const [url, sizeS, out] = process.argv.slice(2); const size = +sizeS; const call = api(url);
const SIGNED = 200, RARE = 20, PER_RARE = 5;
const names = ['Anna','Ben','Carla','Dmitri','Elena','Farid','Greta','Hugo','Ines','Jonas','Kira','Luis','Maya','Noor','Oscar','Priya','Rafael','Sara','Tomas','Uma','Victor','Wen','Xavier','Yara','Zoltan'];
const rareIdx = new Map(); // index -> rare name: RARE names each on PER_RARE users spread evenly
for (let r = 0; r < RARE; r++) for (let k = 0; k < PER_RARE; k++) rareIdx.set(Math.floor(((r * PER_RARE + k) + 0.5) * size / (RARE * PER_RARE)), 'Rarename' + r);
const validity = { AccessTokenValidity: 1, IdTokenValidity: 1, RefreshTokenValidity: 30, TokenValidityUnits: { AccessToken: 'days', IdToken: 'days', RefreshToken: 'days' } };
const res = { url, size, pools: {} };
for (const kind of ['plain', 'email']) {
  const p = (await call('CreateUserPool', { PoolName: `c21-${kind}-${size}`, ...(kind === 'email' ? { UsernameAttributes: ['email'] } : {}), AutoVerifiedAttributes: ['email'],
    Policies: { PasswordPolicy: { MinimumLength: 8, RequireUppercase: false, RequireLowercase: false, RequireNumbers: false, RequireSymbols: false } } })).UserPool;
  const pub = (await call('CreateUserPoolClient', { UserPoolId: p.Id, ClientName: 'pub', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: ['https://app.example.com/cb'],
    SupportedIdentityProviders: ['COGNITO'], ...validity })).UserPoolClient;
  const P = { id: p.Id, pub: pub.ClientId, users: [], signed: [], rare: [] };
  if (kind === 'plain') {
    await call('CreateResourceServer', { UserPoolId: p.Id, Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }] });
    const m = (await call('CreateUserPoolClient', { UserPoolId: p.Id, ClientName: 'm2m', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['api/read'], SupportedIdentityProviders: ['COGNITO'], ...validity })).UserPoolClient;
    P.m2m = m.ClientId; P.m2mSecret = m.ClientSecret;
  }
  const rows = [];
  const rnd = Math.random().toString(36).slice(2, 7);
  for (let i = 0; i < size; i++) {
    const email = `u${i}.${rnd}@ex${i % 97}.test`;
    const given = rareIdx.get(i) ?? names[(i * 7919) % names.length];
    const uname = kind === 'email' ? email : `user_${rnd}_${i}`;
    rows.push({ 'cognito:username': uname, email, email_verified: 'true', given_name: given, family_name: 'Fam' + (i % 1000) });
    P.users.push(uname);
  }
  const imp = await importCsv(call, p.Id, rows, `c21-${kind}`);
  console.log(kind, size, 'import', imp.ms, 'ms', imp.job.Status, imp.job.ImportedUsers, imp.job.FailedUsers, imp.job.SkippedUsers);
  if (imp.job.ImportedUsers !== size) throw new Error('import incomplete ' + JSON.stringify(imp.job));
  // signed-in users
  P.signed = await pool(8, Array.from({ length: SIGNED }, (_, i) => i), async (i) => {
    const email = `s${i}.${rnd}@signed.test`; const uname = kind === 'email' ? email : `signed_${rnd}_${i}`; const pw = 'Pw-' + rnd + '-' + i + 'xyz';
    await call('AdminCreateUser', { UserPoolId: p.Id, Username: uname, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }, { Name: 'given_name', Value: names[i % names.length] }] });
    await call('AdminSetUserPassword', { UserPoolId: p.Id, Username: uname, Password: pw, Permanent: true });
    const a = (await call('InitiateAuth', { ClientId: pub.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: uname, PASSWORD: pw } })).AuthenticationResult;
    return { uname, email, pw, access: a.AccessToken, refresh: a.RefreshToken };
  });
  for (let r = 0; r < RARE; r++) P.rare.push('Rarename' + r);
  P.emails = rows.map((r) => r.email);
  res.pools[kind] = P;
}
writeFileSync(out, JSON.stringify(res));
console.log('done', out);
