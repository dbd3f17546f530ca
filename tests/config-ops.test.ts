/**
 * The remaining configuration operations through the real SDK, on both stores: terms documents,
 * log delivery, UI customization and managed login branding; and what the hosted pages make of
 * them (the terms links on the sign-up page, the CSS and the logo, the branding's colours).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateTermsCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  CreateManagedLoginBrandingCommand,
  DeleteManagedLoginBrandingCommand,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeManagedLoginBrandingCommand,
  UpdateManagedLoginBrandingCommand,
  GetUICustomizationCommand,
  SetUICustomizationCommand,
  GetLogDeliveryConfigurationCommand,
  SetLogDeliveryConfigurationCommand,
  CreateUserPoolClientCommand,
  DeleteTermsCommand,
  DeleteUserPoolClientCommand,
  DescribeTermsCommand,
  ListTermsCommand,
  UpdateTermsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import type { Browser } from 'playwright-core';
import { browserAppClient, chromiumSkip, FormClient, launchChromium, screenshots } from './hosted.js';

const CALLBACK = 'https://app.example.com/cb';
/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** The first bytes of a GIF. */
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
let domains = 0;

for (const backend of await backends()) {
  describe(`configuration operations (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    const app = (name: string) => browserAppClient(t.cognito, name, [CALLBACK], [CALLBACK]);
    const signupUrl = (clientId: string, extra: Record<string, string> = {}) =>
      `/signup?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, ...extra })}`;

    describe('terms documents', () => {
      it('creates, describes, lists, updates and deletes terms as Cognito answers them', async () => {
        const { poolId, clientId } = await app('terms');
        const before = Date.now() / 1000 - 5;
        const { Terms } = await send(
          new CreateTermsCommand({
            UserPoolId: poolId,
            ClientId: clientId,
            TermsName: 'terms-of-use',
            TermsSource: 'LINK',
            Enforcement: 'NONE',
            Links: { 'cognito:default': 'https://example.com/terms', 'cognito:spanish': 'https://example.com/es/terms' },
          }),
        );
        assert.match(Terms.TermsId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(Terms.UserPoolId, poolId);
        assert.equal(Terms.ClientId, clientId);
        assert.equal(Terms.TermsName, 'terms-of-use');
        assert.equal(Terms.TermsSource, 'LINK');
        assert.equal(Terms.Enforcement, 'NONE');
        assert.deepEqual(Terms.Links, { 'cognito:default': 'https://example.com/terms', 'cognito:spanish': 'https://example.com/es/terms' });
        assert.ok(Terms.CreationDate instanceof Date && Terms.CreationDate.getTime() / 1000 > before);
        assert.equal(Terms.LastModifiedDate.getTime(), Terms.CreationDate.getTime());

        const described = (await send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: Terms.TermsId }))).Terms;
        assert.deepEqual(described, Terms);

        // One document of each name per client.
        await expectError(
          send(new CreateTermsCommand({ UserPoolId: poolId, ClientId: clientId, TermsName: 'terms-of-use', TermsSource: 'LINK', Enforcement: 'NONE', Links: { 'cognito:default': 'https://example.com/t2' } })),
          'TermsExistsException',
          /terms-of-use/,
        );
        const pp = (
          await send(new CreateTermsCommand({ UserPoolId: poolId, ClientId: clientId, TermsName: 'privacy-policy', TermsSource: 'LINK', Enforcement: 'NONE', Links: { 'cognito:default': 'https://example.com/privacy' } }))
        ).Terms;

        const listed = (await send(new ListTermsCommand({ UserPoolId: poolId }))).Terms;
        assert.deepEqual(
          listed.map((x: any) => x.TermsName).sort(),
          ['privacy-policy', 'terms-of-use'],
        );
        for (const x of listed) assert.deepEqual(Object.keys(x).sort(), ['CreationDate', 'Enforcement', 'LastModifiedDate', 'TermsId', 'TermsName']);
        const first = await send(new ListTermsCommand({ UserPoolId: poolId, MaxResults: 1 }));
        assert.equal(first.Terms.length, 1);
        assert.ok(first.NextToken);
        const second = await send(new ListTermsCommand({ UserPoolId: poolId, MaxResults: 1, NextToken: first.NextToken }));
        assert.equal(second.Terms.length, 1);
        assert.equal(second.NextToken, undefined);
        assert.notEqual(first.Terms[0].TermsId, second.Terms[0].TermsId);

        // Update: what is given changes, the rest is kept; a name the client has is refused.
        const updated = (await send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: Terms.TermsId, Links: { 'cognito:default': 'https://example.com/terms-v2' } }))).Terms;
        assert.deepEqual(updated.Links, { 'cognito:default': 'https://example.com/terms-v2' });
        assert.equal(updated.TermsName, 'terms-of-use');
        assert.equal(updated.CreationDate.getTime(), Terms.CreationDate.getTime());
        await expectError(send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: Terms.TermsId, TermsName: 'privacy-policy' })), 'TermsExistsException');
        assert.deepEqual((await send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: Terms.TermsId }))).Terms.Links, { 'cognito:default': 'https://example.com/terms-v2' });

        await send(new DeleteTermsCommand({ UserPoolId: poolId, TermsId: pp.TermsId }));
        await expectError(send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: pp.TermsId })), 'ResourceNotFoundException');
        await expectError(send(new DeleteTermsCommand({ UserPoolId: poolId, TermsId: pp.TermsId })), 'ResourceNotFoundException');
        await expectError(send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: pp.TermsId, Links: { 'cognito:default': 'https://x.example' } })), 'ResourceNotFoundException');
      });

      it('validates as the model says and checks the pool and the client', async () => {
        const { poolId, clientId } = await app('terms-validation');
        const base = { UserPoolId: poolId, ClientId: clientId, TermsSource: 'LINK', Enforcement: 'NONE', Links: { 'cognito:default': 'https://example.com/t' } };
        await expectError(send(new CreateTermsCommand({ ...base, TermsName: 'terms' } as any)), 'InvalidParameterException', /termsName/);
        await expectError(send(new CreateTermsCommand({ ...base, TermsName: 'terms-of-use', Links: { 'cognito:klingon': 'https://example.com' } } as any)), 'InvalidParameterException');
        await expectError(send(new CreateTermsCommand({ ...base, TermsName: 'terms-of-use', TermsSource: 'FILE' } as any)), 'InvalidParameterException', /termsSource/);
        await expectError(send(new CreateTermsCommand({ ...base, TermsName: 'terms-of-use', ClientId: 'a'.repeat(26) } as any)), 'ResourceNotFoundException');
        await expectError(send(new CreateTermsCommand({ ...base, TermsName: 'terms-of-use', UserPoolId: 'us-east-1_missing00' } as any)), 'ResourceNotFoundException');
        await expectError(send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: 'not-a-uuid' })), 'InvalidParameterException', /termsId/);
        await expectError(send(new ListTermsCommand({ UserPoolId: poolId, NextToken: 'bogus' })), 'InvalidParameterException');
        // The terms go with their client.
        const { Terms } = await send(new CreateTermsCommand({ ...base, TermsName: 'terms-of-use' } as any));
        await send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
        await expectError(send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: Terms.TermsId })), 'ResourceNotFoundException');
      });

      it('links both documents from the hosted sign-up page, in the page language', async () => {
        const { poolId, clientId } = await app('terms-page');
        const form = new FormClient(t.url);
        const base = { UserPoolId: poolId, ClientId: clientId, TermsSource: 'LINK', Enforcement: 'NONE' } as const;
        await send(new CreateTermsCommand({ ...base, TermsName: 'terms-of-use', Links: { 'cognito:default': 'https://example.com/terms', 'cognito:spanish': 'https://example.com/es/terms' } }));
        // One document alone is not shown (Cognito shows them once both exist).
        let page = await form.get(signupUrl(clientId));
        assert.equal(page.status, 200);
        assert.doesNotMatch(page.html, /id="terms"/);
        await send(new CreateTermsCommand({ ...base, TermsName: 'privacy-policy', Links: { 'cognito:default': 'https://example.com/privacy' } }));
        page = await form.get(signupUrl(clientId));
        assert.match(page.html, /<a href="https:\/\/example.com\/terms" id="terms-of-use"/);
        assert.match(page.html, /<a href="https:\/\/example.com\/privacy" id="privacy-policy"/);
        page = await form.get(signupUrl(clientId, { lang: 'es' }));
        assert.match(page.html, /<a href="https:\/\/example.com\/es\/terms" id="terms-of-use"/);
        assert.match(page.html, /<a href="https:\/\/example.com\/privacy" id="privacy-policy"/);
        // Another client of the pool has none; the sign-in page shows none.
        const other = (
          await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'other', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [CALLBACK], SupportedIdentityProviders: ['COGNITO'] }))
        ).UserPoolClient.ClientId;
        assert.doesNotMatch((await form.get(signupUrl(other))).html, /id="terms"/);
        const login = await form.get(`/login?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
        assert.equal(login.status, 200);
        assert.doesNotMatch(login.html, /id="terms"/);
        // Only web addresses become links; an id in capitals names the same terms.
        const tou = (await send(new ListTermsCommand({ UserPoolId: poolId }))).Terms.find((x: any) => x.TermsName === 'terms-of-use');
        await send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: tou.TermsId.toUpperCase(), Links: { 'cognito:default': 'javascript:alert(1)' } }));
        page = await form.get(signupUrl(clientId));
        assert.equal(page.status, 200);
        assert.doesNotMatch(page.html, /javascript:|id="terms"/);
      });
    });

    describe('log delivery', () => {
      const CW = { LogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/pool' };
      const pool = async (extra: object = {}) => (await send(new CreateUserPoolCommand({ PoolName: 'logs', ...extra }))).UserPool.Id as string;

      it('stores the configurations and describes them back; none set is an empty list', async () => {
        const poolId = await pool({ UserPoolTier: 'PLUS' });
        assert.deepEqual((await send(new GetLogDeliveryConfigurationCommand({ UserPoolId: poolId }))).LogDeliveryConfiguration, { UserPoolId: poolId, LogConfigurations: [] });
        const configs: any[] = [
          { LogLevel: 'ERROR', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW },
          { LogLevel: 'INFO', EventSource: 'userAuthEvents', S3Configuration: { BucketArn: 'arn:aws:s3:::my-pool-logs' } },
        ];
        const set = await send(new SetLogDeliveryConfigurationCommand({ UserPoolId: poolId, LogConfigurations: configs }));
        assert.deepEqual(set.LogDeliveryConfiguration, { UserPoolId: poolId, LogConfigurations: configs });
        assert.deepEqual((await send(new GetLogDeliveryConfigurationCommand({ UserPoolId: poolId }))).LogDeliveryConfiguration, { UserPoolId: poolId, LogConfigurations: configs });
        // A full replace: the empty list turns it off.
        await send(new SetLogDeliveryConfigurationCommand({ UserPoolId: poolId, LogConfigurations: [] }));
        assert.deepEqual((await send(new GetLogDeliveryConfigurationCommand({ UserPoolId: poolId }))).LogDeliveryConfiguration.LogConfigurations, []);
      });

      it('refuses what Cognito refuses', async () => {
        const essentials = await pool();
        const set = (LogConfigurations: any[], UserPoolId = essentials) => send(new SetLogDeliveryConfigurationCommand({ UserPoolId, LogConfigurations }));
        await expectError(set([{ LogLevel: 'INFO', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW }]), 'InvalidParameterException', /ERROR/);
        await expectError(set([{ LogLevel: 'ERROR', EventSource: 'userNotification', S3Configuration: { BucketArn: 'arn:aws:s3:::b' } }]), 'InvalidParameterException', /CloudWatch/);
        await expectError(set([{ LogLevel: 'ERROR', EventSource: 'userNotification' }]), 'InvalidParameterException', /exactly one destination/);
        await expectError(
          set([{ LogLevel: 'ERROR', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW, S3Configuration: { BucketArn: 'arn:aws:s3:::b' } }]),
          'InvalidParameterException',
          /exactly one destination/,
        );
        await expectError(
          set([{ LogLevel: 'ERROR', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW }, { LogLevel: 'ERROR', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW }]),
          'InvalidParameterException',
          /more than once/,
        );
        await expectError(set([{ LogLevel: 'INFO', EventSource: 'userAuthEvents', CloudWatchLogsConfiguration: CW }]), 'FeatureUnavailableInTierException');
        await expectError(set([{ LogLevel: 'WARN', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW }]), 'InvalidParameterException', /logLevel/);
        await expectError(set([{ LogLevel: 'ERROR', EventSource: 'userNotification', CloudWatchLogsConfiguration: CW }], 'us-east-1_missing00'), 'ResourceNotFoundException');
        // Nothing was stored by the refused requests.
        assert.deepEqual((await send(new GetLogDeliveryConfigurationCommand({ UserPoolId: essentials }))).LogDeliveryConfiguration.LogConfigurations, []);
      });

      it('writes the auth events of a pool that delivers userAuthEvents to the server log', async (ctx) => {
        const poolId = await pool({ UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });
        const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] }))).UserPoolClient.ClientId;
        await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ana', MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ana', Password: 'Passw0rd!long', Permanent: true }));
        await send(new SetLogDeliveryConfigurationCommand({ UserPoolId: poolId, LogConfigurations: [{ LogLevel: 'INFO', EventSource: 'userAuthEvents', FirehoseConfiguration: { StreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x' } }] }));
        const lines: string[] = [];
        const write = ctx.mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => {
          lines.push(String(chunk));
          return true;
        });
        try {
          await send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ana', PASSWORD: 'Passw0rd!long' } }));
          await new Promise((r) => setImmediate(r));
        } finally {
          write.mock.restore();
        }
        const events = lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.msg === 'user auth event');
        assert.equal(events.length, 1, lines.join(''));
        assert.equal(events[0].userPoolId, poolId);
        assert.equal(events[0].eventType, 'SignIn');
        assert.equal(events[0].eventResponse, 'Pass');
        assert.match(events[0].eventId, /^[0-9a-f-]{36}$/);
      });
    });

    describe('UI customization', () => {
      const withDomain = async (name: string) => {
        const a = await app(name);
        await send(new CreateUserPoolDomainCommand({ UserPoolId: a.poolId, Domain: `ui-${backend.name}-${process.pid}-${++domains}` }));
        return a;
      };
      const CSS = '.submitButton-customizable { background-color: #8a2be2; }\n.label-customizable{color:#123456}';

      it('stores the pool\'s and a client\'s CSS and logo and describes the one that applies', async () => {
        const { poolId, clientId } = await withDomain('ui');
        // Nothing set.
        assert.deepEqual((await send(new GetUICustomizationCommand({ UserPoolId: poolId }))).UICustomization, { UserPoolId: poolId, ClientId: 'ALL' });
        const all = (await send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS, ImageFile: PNG }))).UICustomization;
        assert.equal(all.UserPoolId, poolId);
        assert.equal(all.ClientId, 'ALL');
        assert.equal(all.CSS, CSS);
        assert.match(all.CSSVersion, /^\d{14}$/);
        assert.equal(all.ImageUrl, `data:image/png;base64,${PNG.toString('base64')}`);
        assert.ok(all.CreationDate instanceof Date && all.LastModifiedDate instanceof Date);
        assert.deepEqual((await send(new GetUICustomizationCommand({ UserPoolId: poolId }))).UICustomization, all);
        // A client without its own gets the pool's.
        assert.deepEqual((await send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId }))).UICustomization, all);
        const own = (await send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId, CSS: '.label-customizable { color: red; }' }))).UICustomization;
        assert.equal(own.ClientId, clientId);
        assert.equal(own.ImageUrl, undefined);
        assert.deepEqual((await send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId }))).UICustomization, own);
        // Both left out: removed, and the client falls back to the pool's again.
        assert.deepEqual((await send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId }))).UICustomization, { UserPoolId: poolId, ClientId: clientId });
        assert.deepEqual((await send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId }))).UICustomization, all);
        await expectError(send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException');
      });

      it('refuses CSS outside the customizable classes, other images, and a pool without a domain', async () => {
        const noDomain = await app('ui-no-domain');
        await expectError(send(new SetUICustomizationCommand({ UserPoolId: noDomain.poolId, CSS })), 'InvalidParameterException', /domain/);
        const { poolId } = await withDomain('ui-refused');
        const set = (extra: object) => send(new SetUICustomizationCommand({ UserPoolId: poolId, ...extra }));
        await expectError(set({ CSS: 'body { display: none; }' }), 'InvalidParameterException', /"body" is not one of the customizable classes/);
        await expectError(set({ CSS: '.label-customizable, h1 { color: red; }' }), 'InvalidParameterException', /"h1"/);
        await expectError(set({ CSS: '@import "x.css"; .label-customizable { color: red; }' }), 'InvalidParameterException', /at-rules/);
        await expectError(set({ CSS: '.background-customizable { background: url(https://evil.example/x.png); }' }), 'InvalidParameterException', /url\(\)/);
        await expectError(set({ CSS: '.label-customizable { color: red; }</style><script>alert(1)</script>' }), 'InvalidParameterException', /< and >/);
        await expectError(set({ CSS: '.label-customizable { color: red; ' }), 'InvalidParameterException');
        await expectError(set({ ImageFile: GIF }), 'InvalidParameterException', /PNG or JPEG/);
        await expectError(set({ ImageFile: Buffer.concat([PNG, Buffer.alloc(101 * 1024)]) }), 'InvalidParameterException', /100 KB/);
        // Nothing was stored.
        assert.deepEqual((await send(new GetUICustomizationCommand({ UserPoolId: poolId }))).UICustomization, { UserPoolId: poolId, ClientId: 'ALL' });
      });

      it('applies the CSS and shows the logo on the hosted pages, per client or for all', async () => {
        const { poolId, clientId } = await withDomain('ui-pages');
        const form = new FormClient(t.url);
        const login = (id: string) => form.get(`/login?${new URLSearchParams({ client_id: id, response_type: 'code', redirect_uri: CALLBACK })}`);
        let page = await login(clientId);
        assert.doesNotMatch(page.html, /ui-customization|logo-customizable/);
        await send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS, ImageFile: PNG }));
        page = await login(clientId);
        assert.equal(page.status, 200);
        const style = /<style id="ui-customization">([\s\S]*?)<\/style>/.exec(page.html)?.[1];
        assert.ok(style, page.html);
        assert.match(style, /\.submitButton-customizable,button\[type=submit\]\{ background-color: #8a2be2; \}/);
        assert.match(style, /\.label-customizable,label\{color:#123456\}/);
        assert.ok(page.html.indexOf('id="ui-customization"') < page.html.indexOf('</head>'));
        assert.match(page.html, new RegExp(`<img class="logo-customizable" id="logo" src="data:image/png;base64,${PNG.toString('base64').replace(/[+/=]/g, '\\$&')}"`));
        // The sign-up page too; a client with its own customization gets its own only.
        assert.match((await form.get(signupUrl(clientId))).html, /id="ui-customization"/);
        await send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId, CSS: '.label-customizable { color: green; }' }));
        page = await login(clientId);
        assert.match(page.html, /\.label-customizable,label\{ color: green; \}/);
        assert.doesNotMatch(page.html, /8a2be2|id="logo"/);
      });
    });

    describe('managed login branding', () => {
      const SETTINGS = {
        components: {
          primaryButton: { lightMode: { defaults: { backgroundColor: 'ff5500ff', textColor: 'ffffffff' }, hover: { backgroundColor: 'cc4400ff' } } },
          pageBackground: { lightMode: { color: 'eeeeeeff' }, image: { enabled: false } },
          form: { lightMode: { backgroundColor: 'fafafaff', borderColor: '333333ff' }, location: { horizontal: 'CENTER', vertical: 'CENTER' } },
          link: { lightMode: { defaults: { textColor: '0000ccff' } } },
        },
        categories: { global: { colorSchemeMode: 'LIGHT', spacingDensity: 'REGULAR' } },
      };
      const LOGO = { Category: 'FORM_LOGO', ColorMode: 'LIGHT', Extension: 'PNG', Bytes: PNG } as const;
      const managedApp = async (name: string) => {
        const a = await browserAppClient(t.cognito, name, [CALLBACK], [CALLBACK], { UserPoolTier: 'ESSENTIALS' });
        await send(new CreateUserPoolDomainCommand({ UserPoolId: a.poolId, Domain: `ml-${backend.name}-${process.pid}-${++domains}`, ManagedLoginVersion: 2 }));
        return a;
      };

      it('creates, describes (by id and by client), updates and deletes a style exactly as given', async () => {
        const { poolId, clientId } = await managedApp('branding');
        const created = (await send(new CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: clientId, Settings: SETTINGS, Assets: [LOGO] }))).ManagedLoginBranding;
        assert.match(created.ManagedLoginBrandingId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(created.UserPoolId, poolId);
        assert.equal(created.UseCognitoProvidedValues, false);
        assert.deepEqual(created.Settings, SETTINGS);
        assert.equal(created.Assets.length, 1);
        assert.deepEqual({ ...created.Assets[0], Bytes: Buffer.from(created.Assets[0].Bytes) }, { ...LOGO, Bytes: PNG });
        assert.ok(created.CreationDate instanceof Date);
        const byId = (await send(new DescribeManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: created.ManagedLoginBrandingId }))).ManagedLoginBranding;
        assert.deepEqual(byId, created);
        const byClient = (await send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: poolId, ClientId: clientId }))).ManagedLoginBranding;
        assert.deepEqual(byClient, created);
        await expectError(send(new CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: clientId, UseCognitoProvidedValues: true })), 'ManagedLoginBrandingExistsException');

        // Settings replaced, assets kept.
        const settings2 = { components: { primaryButton: { lightMode: { defaults: { backgroundColor: '00aa00ff' } } } } };
        const updated = (await send(new UpdateManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: created.ManagedLoginBrandingId, Settings: settings2 }))).ManagedLoginBranding;
        assert.deepEqual(updated.Settings, settings2);
        assert.equal(updated.Assets.length, 1);
        assert.equal(updated.CreationDate.getTime(), created.CreationDate.getTime());
        // Back to Cognito's defaults: settings and assets go.
        const defaults = (await send(new UpdateManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: created.ManagedLoginBrandingId, UseCognitoProvidedValues: true }))).ManagedLoginBranding;
        assert.equal(defaults.UseCognitoProvidedValues, true);
        assert.equal(defaults.Settings, undefined);
        assert.deepEqual(defaults.Assets, []);

        await send(new DeleteManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: created.ManagedLoginBrandingId }));
        await expectError(send(new DescribeManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: created.ManagedLoginBrandingId })), 'ResourceNotFoundException');
        await expectError(send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: poolId, ClientId: clientId })), 'ResourceNotFoundException');
        await expectError(send(new DeleteManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: created.ManagedLoginBrandingId })), 'ResourceNotFoundException');
      });

      it('refuses what Cognito refuses', async () => {
        const { poolId, clientId } = await managedApp('branding-refused');
        const create = (extra: object) => send(new CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: clientId, ...extra }));
        await expectError(create({ UseCognitoProvidedValues: true, Settings: SETTINGS }), 'InvalidParameterException', /UseCognitoProvidedValues/);
        await expectError(create({ Assets: [LOGO, LOGO] }), 'InvalidParameterException', /twice/);
        await expectError(create({ Assets: [{ ...LOGO, Category: 'HEADER' }] }), 'InvalidParameterException', /category/i);
        await expectError(create({ Settings: ['not', 'an', 'object'] }), 'InvalidParameterException', /Settings/);
        await expectError(create({ ClientId: 'nosuchclient' }), 'ResourceNotFoundException');
        await expectError(send(new DescribeManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: 'nope' })), 'InvalidParameterException', /managedLoginBrandingId/);
        await expectError(send(new UpdateManagedLoginBrandingCommand({ ManagedLoginBrandingId: '6f9a2a3e-1b2c-4d5e-8f90-123456789abc' })), 'InvalidParameterException', /UserPoolId/);
        await expectError(send(new UpdateManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: '6f9a2a3e-1b2c-4d5e-8f90-123456789abc', Settings: {} })), 'ResourceNotFoundException');
        // Nothing was stored.
        await expectError(send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: poolId, ClientId: clientId })), 'ResourceNotFoundException');
      });

      it('applies the colours and the logo to the pages of a managed login domain', async () => {
        const { poolId, clientId } = await managedApp('branding-pages');
        const form = new FormClient(t.url);
        const login = () => form.get(`/login?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
        assert.doesNotMatch((await login()).html, /managed-login-branding/);
        const { ManagedLoginBranding } = await send(new CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: clientId, Settings: SETTINGS, Assets: [LOGO] }));
        const page = await login();
        const css = /<style id="managed-login-branding">([^<]*)<\/style>/.exec(page.html)?.[1];
        assert.ok(css, page.html);
        assert.match(css, /button\[type=submit\]\{background:#ff5500ff;color:#ffffffff\}/);
        assert.match(css, /button\[type=submit\]:hover\{background:#cc4400ff\}/);
        assert.match(css, /body\{background:#eeeeeeff\}/);
        assert.match(css, /main\{background:#fafafaff;border:1px solid #333333ff\}/);
        assert.match(css, /a\{color:#0000ccff\}/);
        assert.match(page.html, /<img class="logo-customizable" id="logo" src="data:image\/png;base64,/);
        // A colour that is not one is left out (it never reaches the CSS).
        await send(new UpdateManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: ManagedLoginBranding.ManagedLoginBrandingId, Settings: { components: { primaryButton: { lightMode: { defaults: { backgroundColor: 'red;}</style><script>' } } } } } }));
        const after = await login();
        assert.doesNotMatch(after.html, /<script>/);
        // The classic UI customization does not apply on a managed login domain.
        await send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable { color: red; }' }));
        assert.doesNotMatch((await login()).html, /ui-customization/);
      });
    });

    it('a pool deleted takes its terms, styles, customizations and log configuration with it', async () => {
      const { poolId, clientId } = await browserAppClient(t.cognito, 'deleted', [CALLBACK], [CALLBACK], { UserPoolTier: 'PLUS' });
      const domain = `del-${backend.name}-${process.pid}-${++domains}`;
      await send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
      await send(new CreateTermsCommand({ UserPoolId: poolId, ClientId: clientId, TermsName: 'terms-of-use', TermsSource: 'LINK', Enforcement: 'NONE', Links: { 'cognito:default': 'https://example.com/t' } }));
      await send(new CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: clientId, UseCognitoProvidedValues: true }));
      await send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable { color: red; }' }));
      await send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId, ImageFile: PNG }));
      await send(new SetLogDeliveryConfigurationCommand({ UserPoolId: poolId, LogConfigurations: [{ LogLevel: 'ERROR', EventSource: 'userNotification', CloudWatchLogsConfiguration: { LogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:x' } }] }));
      await send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
      await send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
      await expectError(send(new ListTermsCommand({ UserPoolId: poolId })), 'ResourceNotFoundException');
      await expectError(send(new GetUICustomizationCommand({ UserPoolId: poolId })), 'ResourceNotFoundException');
    });
  });
}

describe('the pages\' look in Chromium', { skip: chromiumSkip() }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('draws the pool\'s CSS, its logo and the terms links', async (tc) => {
    const [backend] = await backends();
    const t = await startTestServer(backend!);
    const context = await browser.newContext();
    const page = await context.newPage();
    const shot = screenshots(page, tc, 'config-ops-');
    try {
      const { poolId, clientId } = await browserAppClient(t.cognito, 'look', [CALLBACK], [CALLBACK]);
      await t.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: `look-${process.pid}` }));
      await t.cognito.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.submitButton-customizable { background-color: #8a2be2; }\n.label-customizable { color: #006400; }', ImageFile: PNG }));
      for (const TermsName of ['terms-of-use', 'privacy-policy'] as const) {
        await t.cognito.send(new CreateTermsCommand({ UserPoolId: poolId, ClientId: clientId, TermsName, TermsSource: 'LINK', Enforcement: 'NONE', Links: { 'cognito:default': `https://example.com/${TermsName}` } }));
      }
      await page.goto(`${t.url}/signup?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
      const look = await page.evaluate(() => {
        const button = document.querySelector('button[type=submit]')!;
        const label = document.querySelector('label')!;
        const logo = document.querySelector('#logo') as HTMLImageElement;
        const links = [...document.querySelectorAll('#terms a')].map((a) => (a as HTMLAnchorElement).href);
        return { button: getComputedStyle(button).backgroundColor, label: getComputedStyle(label).color, logo: logo?.complete && logo.naturalWidth, links };
      });
      await shot('signup');
      assert.equal(look.button, 'rgb(138, 43, 226)');
      assert.equal(look.label, 'rgb(0, 100, 0)');
      assert.equal(look.logo, 1);
      assert.deepEqual(look.links, ['https://example.com/terms-of-use', 'https://example.com/privacy-policy']);
    } finally {
      await context.close();
      await t.close();
    }
  });
});
