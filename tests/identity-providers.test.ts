/**
 * Identity providers through the real SDK, on both stores: Create / Describe / Update / Delete /
 * List (pagination) / GetIdentityProviderByIdentifier for every ProviderType, ProviderDetails
 * checked per type (OIDC endpoints discovered from a real issuer: a pool of this same server),
 * AttributeMapping, IdpIdentifiers, names; SupportedIdentityProviders of clients; linking.
 */
import { after, before, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteIdentityProviderCommand,
  DescribeIdentityProviderCommand,
  GetIdentityProviderByIdentifierCommand,
  ListIdentityProvidersCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { ConfigError, loadConfig } from '../src/config.js';

describe('--federation-endpoints', () => {
  it('takes PROVIDER=URL pairs of the social providers, from the flag or INCOGNITO_FEDERATION_ENDPOINTS', () => {
    assert.equal(loadConfig(['--federation-endpoints', 'Google=http://127.0.0.1:4000'], {}).federationEndpoints, 'Google=http://127.0.0.1:4000');
    assert.equal(loadConfig([], { INCOGNITO_FEDERATION_ENDPOINTS: 'Facebook=https://fb.test,LoginWithAmazon=https://amzn.test' }).federationEndpoints, 'Facebook=https://fb.test,LoginWithAmazon=https://amzn.test');
    for (const bad of ['Corp=http://127.0.0.1:1', 'Google', 'Google=ftp://x', 'Google=']) {
      assert.throws(() => loadConfig(['--federation-endpoints', bad], {}), (e: Error) => e instanceof ConfigError && /PROVIDER=URL/.test(e.message), bad);
    }
  });
});

/** The IdP's signing certificate (metadata without one is refused). */
const IDP_CERT = (await generate([{ name: 'commonName', value: 'idp.example.com' }], { keySize: 2048, algorithm: 'sha256' })).cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
const SIGNING_KEY = `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${IDP_CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const SAML_METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${SIGNING_KEY}
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

for (const backend of await backends()) {
  describe(`identity providers (${backend.name})`, () => {
    let t: TestServer;
    let issuerPool: string;
    let issuer: string;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
      issuerPool = (await send(new CreateUserPoolCommand({ PoolName: 'issuer' }))).UserPool.Id;
      issuer = `${t.url}/${issuerPool}`;
    });
    after(() => t.close());

    const pool = async (extra: Record<string, unknown> = {}) => (await send(new CreateUserPoolCommand({ PoolName: 'federated', ...extra }))).UserPool.Id as string;
    const oidc = (UserPoolId: string, ProviderName = 'Corp', extra: Record<string, unknown> = {}, details: Record<string, string> = {}) =>
      send(
        new CreateIdentityProviderCommand({
          UserPoolId,
          ProviderName,
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: 'abc', client_secret: 's3cret', authorize_scopes: 'openid email', attributes_request_method: 'GET', oidc_issuer: issuer, ...details },
          ...extra,
        }),
      ).then((r) => r.IdentityProvider);

    it('creates an OIDC provider: endpoints discovered from the issuer, default mapping, dates', async () => {
      const id = await pool();
      const p = await oidc(id, 'Corp', { AttributeMapping: { email: 'email' }, IdpIdentifiers: ['corp.example.com'] });
      assert.equal(p.ProviderName, 'Corp');
      assert.equal(p.ProviderType, 'OIDC');
      assert.equal(p.UserPoolId, id);
      assert.deepEqual(p.AttributeMapping, { username: 'sub', email: 'email' });
      assert.deepEqual(p.IdpIdentifiers, ['corp.example.com']);
      assert.ok(p.CreationDate instanceof Date && p.LastModifiedDate instanceof Date);
      const d = (await send(new DescribeIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Corp' }))).IdentityProvider;
      assert.deepEqual(d.ProviderDetails, {
        client_id: 'abc',
        client_secret: 's3cret',
        authorize_scopes: 'openid email',
        attributes_request_method: 'GET',
        oidc_issuer: issuer,
        authorize_url: `${t.url}/oauth2/authorize`,
        token_url: `${t.url}/oauth2/token`,
        attributes_url: `${t.url}/oauth2/userInfo`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        attributes_url_add_attributes: 'false',
      });
    });

    it('refuses bad OIDC details: missing keys, no openid scope, unknown keys, unreachable issuer, bad method', async () => {
      const id = await pool();
      await expectError(oidc(id, 'Acme', {}, { client_id: '' }), 'InvalidParameterException', /need client_id/);
      await expectError(oidc(id, 'Acme', {}, { authorize_scopes: 'email' }), 'InvalidParameterException', /must include openid/);
      await expectError(oidc(id, 'Acme', {}, { colour: 'blue' }), 'InvalidParameterException', /do not take colour/);
      await expectError(oidc(id, 'Acme', {}, { attributes_request_method: 'PUT' }), 'InvalidParameterException', /GET or POST/);
      await expectError(oidc(id, 'Acme', {}, { oidc_issuer: `${t.url}/us-east-1_nothere1` }), 'InvalidParameterException', /discovery endpoint/);
      await expectError(oidc(id, 'Acme', {}, { oidc_issuer: 'http://idp.example.com' }), 'InvalidParameterException', /https/);
      // Every endpoint given: no discovery needed.
      const p = await oidc(id, 'Manual', {}, {
        oidc_issuer: 'https://idp.example.com',
        authorize_url: 'https://idp.example.com/authorize',
        token_url: 'https://idp.example.com/token',
        attributes_url: 'https://idp.example.com/userinfo',
        jwks_uri: 'https://idp.example.com/jwks',
      });
      assert.equal(p.ProviderDetails.token_url, 'https://idp.example.com/token');
      assert.deepEqual((await send(new ListIdentityProvidersCommand({ UserPoolId: id }))).Providers.map((x: any) => x.ProviderName), ['Manual']);
    });

    it('names: unique, reserved, social providers named as their type', async () => {
      const id = await pool();
      await oidc(id, 'Corp');
      await expectError(oidc(id, 'Corp'), 'DuplicateProviderException');
      await expectError(oidc(id, 'Cognito'), 'InvalidParameterException', /reserved/);
      await expectError(oidc(id, 'Google'), 'InvalidParameterException', /reserved/);
      const google = (ProviderName: string) =>
        send(new CreateIdentityProviderCommand({ UserPoolId: id, ProviderName, ProviderType: 'Google', ProviderDetails: { client_id: 'g', client_secret: 'gs', authorize_scopes: 'openid email profile' } }));
      await expectError(google('MyGoogle'), 'InvalidParameterException', /must be Google/);
      const g = (await google('Google')).IdentityProvider;
      assert.deepEqual(g.AttributeMapping, { username: 'sub' });
      assert.equal(g.ProviderDetails.authorize_url, 'https://accounts.google.com/o/oauth2/v2/auth');
      assert.equal(g.ProviderDetails.token_url, 'https://www.googleapis.com/oauth2/v4/token');
      assert.equal(g.ProviderDetails.oidc_issuer, 'https://accounts.google.com');
      assert.equal(g.ProviderDetails.attributes_url_add_attributes, 'true');
      assert.equal(g.ProviderDetails.client_secret, 'gs');
    });

    it('social providers: their keys, Facebook api_version, Apple without its private key in Describe, Amazon', async () => {
      const id = await pool();
      const create = (ProviderType: 'Google' | 'Facebook' | 'SignInWithApple' | 'LoginWithAmazon', ProviderDetails: Record<string, string>) =>
        send(new CreateIdentityProviderCommand({ UserPoolId: id, ProviderName: ProviderType, ProviderType, ProviderDetails })).then((r) => r.IdentityProvider);
      await expectError(create('Facebook', { client_id: 'f', authorize_scopes: 'email' }), 'InvalidParameterException', /need client_secret/);
      const fb = await create('Facebook', { client_id: 'f', client_secret: 'fs', authorize_scopes: 'public_profile, email', api_version: 'v18.0' });
      assert.equal(fb.ProviderDetails.authorize_url, 'https://www.facebook.com/v18.0/dialog/oauth');
      assert.equal(fb.ProviderDetails.token_request_method, 'GET');
      assert.deepEqual(fb.AttributeMapping, { username: 'id' });
      await expectError(create('SignInWithApple', { client_id: 'a', team_id: 't', key_id: 'k', private_key: 'p', authorize_scopes: 'email openid' }), 'InvalidParameterException', /email and name only/);
      const apple = await create('SignInWithApple', { client_id: 'a', team_id: 't', key_id: 'k', private_key: 'pk', authorize_scopes: 'email name' });
      assert.equal(apple.ProviderDetails.private_key, undefined);
      assert.equal(apple.ProviderDetails.oidc_issuer, 'https://appleid.apple.com');
      const amazon = await create('LoginWithAmazon', { client_id: 'amzn', client_secret: 'as', authorize_scopes: 'profile' });
      assert.equal(amazon.ProviderDetails.token_url, 'https://api.amazon.com/auth/o2/token');
      assert.deepEqual(amazon.AttributeMapping, { username: 'user_id' });
    });

    it('SAML: MetadataFile or MetadataURL, booleans, RequestSigningAlgorithm, endpoints from the metadata', async () => {
      const id = await pool();
      const saml = (ProviderName: string, ProviderDetails: Record<string, string>) =>
        send(new CreateIdentityProviderCommand({ UserPoolId: id, ProviderName, ProviderType: 'SAML', ProviderDetails })).then((r) => r.IdentityProvider);
      await expectError(saml('Sso', {}), 'InvalidParameterException', /MetadataURL or MetadataFile/);
      await expectError(saml('Sso', { MetadataFile: '<nope/>' }), 'InvalidParameterException', /IDPSSODescriptor/);
      await expectError(saml('Sso', { MetadataFile: SAML_METADATA, IDPSignout: 'yes' }), 'InvalidParameterException', /"true" or "false"/);
      await expectError(saml('Sso', { MetadataFile: SAML_METADATA, RequestSigningAlgorithm: 'rsa-sha1' }), 'InvalidParameterException', /rsa-sha256/);
      await expectError(saml('Sso', { MetadataURL: `${t.url}/no/metadata/here` }), 'InvalidParameterException', /Could not retrieve/);
      // Only an HTTP-POST SingleSignOnService: the AuthnRequest could not be sent (Cognito's message).
      const postOnly = SAML_METADATA.replace('bindings:HTTP-Redirect" Location="https://idp.example.com/sso"', 'bindings:HTTP-POST" Location="https://idp.example.com/sso"');
      assert.notEqual(postOnly, SAML_METADATA);
      await expectError(saml('Sso', { MetadataFile: postOnly }), 'InvalidParameterException', 'No SingleSignOn Http redirect binding location found in metadata.');
      // No signing certificate: no response could ever be verified.
      const noCert = SAML_METADATA.replace(SIGNING_KEY, '');
      assert.notEqual(noCert, SAML_METADATA);
      await expectError(saml('Sso', { MetadataFile: noCert }), 'InvalidParameterException', /no signing certificate/);
      const p = await saml('Okta', { MetadataFile: SAML_METADATA, IDPSignout: 'true', EncryptedResponses: 'true', RequestSigningAlgorithm: 'rsa-sha256' });
      assert.equal(p.ProviderDetails.SSORedirectBindingURI, 'https://idp.example.com/sso');
      assert.equal(p.ProviderDetails.SLORedirectBindingURI, 'https://idp.example.com/slo');
      assert.match(p.ProviderDetails.ActiveEncryptionCertificate, /^MII[A-Za-z0-9+/=]+$/);
      assert.deepEqual(p.AttributeMapping, {});
      await expectError(
        send(new UpdateIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Okta', ProviderDetails: { MetadataFile: postOnly } })),
        'InvalidParameterException',
        'No SingleSignOn Http redirect binding location found in metadata.',
      );
    });

    it('AttributeMapping: pool attributes or username only; never sub', async () => {
      const id = await pool({ Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: false }] });
      await expectError(oidc(id, 'Acme', { AttributeMapping: { nickname2: 'x' } }), 'InvalidParameterException', /nickname2 cannot be mapped/);
      await expectError(oidc(id, 'Acme', { AttributeMapping: { sub: 'sub' } }), 'InvalidParameterException', /sub cannot be mapped/);
      await expectError(oidc(id, 'Acme', { AttributeMapping: { 'custom:tenant': 'tid' } }), 'InvalidParameterException', /immutable/);
      const p = await oidc(id, 'Acme', { AttributeMapping: { username: 'preferred_username', given_name: 'given_name' } });
      assert.deepEqual(p.AttributeMapping, { username: 'preferred_username', given_name: 'given_name' });
    });

    it('IdpIdentifiers unique in the pool; GetIdentityProviderByIdentifier', async () => {
      const id = await pool();
      await oidc(id, 'Acme', { IdpIdentifiers: ['a.example.com', 'A-corp'] });
      await expectError(oidc(id, 'Bolt', { IdpIdentifiers: ['a-CORP'] }), 'DuplicateProviderException', /already used/);
      await expectError(oidc(id, 'Bolt', { IdpIdentifiers: ['x', 'X'] }), 'InvalidParameterException', /more than once/);
      await oidc(id, 'Bolt', { IdpIdentifiers: ['b.example.com'] });
      const found = (await send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: id, IdpIdentifier: 'A.example.com' }))).IdentityProvider;
      assert.equal(found.ProviderName, 'Acme');
      await expectError(send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: id, IdpIdentifier: 'none' })), 'ResourceNotFoundException');
      await expectError(send(new UpdateIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Bolt', IdpIdentifiers: ['a.example.com'] })), 'DuplicateProviderException');
      // A provider may keep its own identifiers on update.
      await send(new UpdateIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Acme', IdpIdentifiers: ['a.example.com', 'more'] }));
    });

    it('UpdateIdentityProvider keeps the secret when left out, re-checks details; Delete; not found', async () => {
      const id = await pool();
      await oidc(id, 'Corp');
      const u = (
        await send(
          new UpdateIdentityProviderCommand({
            UserPoolId: id,
            ProviderName: 'Corp',
            ProviderDetails: { client_id: 'new', authorize_scopes: 'openid profile', attributes_request_method: 'POST', oidc_issuer: issuer },
            AttributeMapping: { email: 'email', username: 'sub' },
          }),
        )
      ).IdentityProvider;
      assert.equal(u.ProviderDetails.client_id, 'new');
      assert.equal(u.ProviderDetails.client_secret, 's3cret');
      assert.equal(u.ProviderDetails.attributes_request_method, 'POST');
      assert.deepEqual(u.AttributeMapping, { email: 'email', username: 'sub' });
      await expectError(send(new UpdateIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Corp', ProviderDetails: { client_id: 'x' } })), 'InvalidParameterException');
      await expectError(send(new UpdateIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Nope', AttributeMapping: {} })), 'ResourceNotFoundException');
      await send(new DeleteIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Corp' }));
      await expectError(send(new DescribeIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Corp' })), 'ResourceNotFoundException');
      await expectError(send(new DeleteIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Corp' })), 'ResourceNotFoundException');
      await expectError(send(new DescribeIdentityProviderCommand({ UserPoolId: 'us-east-1_missing00', ProviderName: 'Corp' })), 'ResourceNotFoundException');
    });

    it('ListIdentityProviders pages in name order', async () => {
      const id = await pool();
      const names = ['Delta', 'Alpha', 'Charlie', 'Bravo', 'Echo'];
      for (const n of names) await oidc(id, n, {}, { oidc_issuer: 'https://idp.example.com', authorize_url: 'https://idp.example.com/a', token_url: 'https://idp.example.com/t', attributes_url: 'https://idp.example.com/u', jwks_uri: 'https://idp.example.com/j' });
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const r = await send(new ListIdentityProvidersCommand({ UserPoolId: id, MaxResults: 2, ...(NextToken ? { NextToken } : {}) }));
        pages++;
        for (const p of r.Providers) {
          assert.equal(p.ProviderType, 'OIDC');
          assert.ok(p.CreationDate instanceof Date);
          seen.push(p.ProviderName);
        }
        NextToken = r.NextToken;
      } while (NextToken);
      assert.deepEqual(seen, [...names].sort());
      assert.equal(pages, 3);
      await expectError(send(new ListIdentityProvidersCommand({ UserPoolId: id, NextToken: 'garbage' })), 'InvalidParameterException');
      // The model allows MaxResults 0 here: refused as its neighbours refuse it, not a server error.
      await expectError(
        send(new ListIdentityProvidersCommand({ UserPoolId: id, MaxResults: 0 })),
        'InvalidParameterException',
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
    });

    it('SupportedIdentityProviders of a client must name existing providers', async () => {
      const id = await pool();
      await expectError(
        send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'c', SupportedIdentityProviders: ['COGNITO', 'Corp'] })),
        'InvalidParameterException',
        `The provider Corp does not exist for User Pool ${id}`,
      );
      await oidc(id, 'Corp');
      const c = (await send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'c', SupportedIdentityProviders: ['COGNITO', 'Corp'] }))).UserPoolClient;
      assert.deepEqual(c.SupportedIdentityProviders, ['COGNITO', 'Corp']);
      await expectError(
        send(new UpdateUserPoolClientCommand({ UserPoolId: id, ClientId: c.ClientId, SupportedIdentityProviders: ['Other'] })),
        'InvalidParameterException',
        `The provider Other does not exist for User Pool ${id}`,
      );
      // Deleting the provider takes it off the clients that list it: the client reads back without it,
      // and what was read can be written back as it is.
      const other = (await send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'd', SupportedIdentityProviders: ['Corp'] }))).UserPoolClient;
      await send(new DeleteIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Corp' }));
      const read = (await send(new DescribeUserPoolClientCommand({ UserPoolId: id, ClientId: c.ClientId }))).UserPoolClient;
      assert.deepEqual(read.SupportedIdentityProviders, ['COGNITO']);
      await send(new UpdateUserPoolClientCommand({ UserPoolId: id, ClientId: c.ClientId, SupportedIdentityProviders: read.SupportedIdentityProviders }));
      const emptied = (await send(new DescribeUserPoolClientCommand({ UserPoolId: id, ClientId: other.ClientId }))).UserPoolClient;
      assert.deepEqual(emptied.SupportedIdentityProviders ?? [], []);
    });

    it('AdminLinkProviderForUser / AdminDisableProviderForUser: identities attribute, checks', async () => {
      const id = await pool();
      await oidc(id, 'Corp');
      await send(new AdminCreateUserCommand({ UserPoolId: id, Username: 'alice', MessageAction: 'SUPPRESS' }));
      const link = (dest: string, value: string, ProviderName = 'Corp', destProvider = 'Cognito', attr = 'Cognito_Subject') =>
        send(
          new AdminLinkProviderForUserCommand({
            UserPoolId: id,
            DestinationUser: { ProviderName: destProvider, ProviderAttributeValue: dest },
            SourceUser: { ProviderName, ProviderAttributeName: attr, ProviderAttributeValue: value },
          }),
        );
      await expectError(link('bob', 'sub-1'), 'UserNotFoundException');
      await expectError(link('alice', 'sub-1', 'Nope'), 'InvalidParameterException', /does not exist/);
      await expectError(link('alice', 'sub-1', 'Corp', 'Corp'), 'InvalidParameterException', /must be Cognito/);
      await link('alice', 'sub-1');
      await link('alice', 'sub-1'); // the same link again is no change
      const attrs = (u: any) => Object.fromEntries(u.UserAttributes.map((a: any) => [a.Name, a.Value]));
      const identities = JSON.parse(attrs(await send(new AdminGetUserCommand({ UserPoolId: id, Username: 'alice' }))).identities);
      assert.equal(identities.length, 1);
      assert.deepEqual({ ...identities[0], dateCreated: undefined }, { userId: 'sub-1', providerName: 'Corp', providerType: 'OIDC', issuer: null, primary: 'false', dateCreated: undefined });
      assert.match(identities[0].dateCreated, /^\d{13}$/);
      await send(new AdminCreateUserCommand({ UserPoolId: id, Username: 'carol', MessageAction: 'SUPPRESS' }));
      await expectError(link('carol', 'sub-1'), 'AliasExistsException');
      for (let i = 2; i <= 5; i++) await link('alice', `sub-${i}`);
      await expectError(link('alice', 'sub-6'), 'LimitExceededException');
      await send(new AdminDisableProviderForUserCommand({ UserPoolId: id, User: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'sub-1' } }));
      const after = JSON.parse(attrs(await send(new AdminGetUserCommand({ UserPoolId: id, Username: 'alice' }))).identities);
      assert.deepEqual(after.map((x: any) => x.userId), ['sub-2', 'sub-3', 'sub-4', 'sub-5']);
      // Unlinked now: carol may take it.
      await link('carol', 'sub-1');
    });
  });
}
