// usage: node gen.mjs SETUP.json OUTDIR  -> request files for wrk (bench.lua)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
const [setupF, dir] = process.argv.slice(2); const S = JSON.parse(readFileSync(setupF)); mkdirSync(dir, { recursive: true });
const J = 'Content-Type:application/x-amz-json-1.1|X-Amz-Target:AWSCognitoIdentityProviderService.';
const line = (op, body, extra = '') => `POST\t/\t${J}${op}${extra}\t${JSON.stringify(body)}`;
const pick = (a, n) => Array.from({ length: n }, () => a[Math.floor(Math.random() * a.length)]);
const N = 5000; const w = (name, lines) => writeFileSync(`${dir}/${name}`, lines.join('\n') + '\n');
for (const kind of ['plain', 'email']) {
  const P = S.pools[kind];
  w(`agu_${kind}`, pick(P.users, N).map((u) => line('AdminGetUser', { UserPoolId: P.id, Username: u })));
  w(`gu_${kind}`, P.signed.map((u) => line('GetUser', { AccessToken: u.access })));
}
const P = S.pools.plain;
w('lu_all', [line('ListUsers', { UserPoolId: P.id, Limit: 60 })]);
w('lu_email', pick(P.emails, N).map((e) => line('ListUsers', { UserPoolId: P.id, Filter: `email = "${e}"` })));
w('lu_given', P.rare.map((g) => line('ListUsers', { UserPoolId: P.id, Filter: `given_name = "${g}"` })));
w('refresh', P.signed.map((u) => line('InitiateAuth', { ClientId: P.pub, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: u.refresh } })));
w('upa', P.signed.map((u) => line('InitiateAuth', { ClientId: P.pub, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: u.uname, PASSWORD: u.pw } })));
const basic = Buffer.from(`${P.m2m}:${P.m2mSecret}`).toString('base64');
w('cc', [`POST\t/oauth2/token\tContent-Type:application/x-www-form-urlencoded|Authorization:Basic ${basic}\tgrant_type=client_credentials&scope=api%2Fread`]);
