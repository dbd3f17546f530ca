/**
 * A SAML 2.0 identity provider for the tests, built with the SAML XML libraries node-saml itself
 * stands on (xml-crypto for XML signatures, xml-encryption for EncryptedAssertion): its metadata (a
 * MetadataFile), the AuthnRequest read back from the HTTP-Redirect URL (inflated, its redirect
 * signature verified against the pool's certificate), and Responses made to order: signed on the
 * assertion, on the response or not at all, encrypted to a certificate, with any audience,
 * destination, InResponseTo and validity window, so every kind of bad answer can be sent.
 */
import { randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import xmlenc from 'xml-encryption';
import { generate } from 'selfsigned';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface AuthnRequestSeen {
  id: string;
  acs: string;
  issuer: string;
  relayState: string;
  /** The redirect binding's signature: absent, or checked against the certificate given to read(). */
  signature: 'none' | 'valid' | 'invalid';
  sigAlg: string | null;
  /** The message itself (an AuthnRequest or a LogoutRequest). */
  xml: string;
}

export interface ResponseOptions {
  acs: string;
  audience: string;
  nameId: string;
  /** The request answered (absent for an IdP-initiated response). */
  inResponseTo?: string;
  attributes?: Record<string, string | string[]>;
  /** Issue time (epoch ms); the assertion is valid from a minute before to `validMs` after it. */
  now: number;
  validMs?: number;
  sign?: 'assertion' | 'response' | 'none';
  /** PEM certificate to encrypt the assertion to (EncryptedAssertion). */
  encryptTo?: string;
  /** The Response's Destination (the ACS URL when absent; null: none). */
  destination?: string | null;
  /** The bearer SubjectConfirmationData's Recipient (the ACS URL when absent; null: none). */
  recipient?: string | null;
  /** The Issuer of the Response and of the Assertion (the IdP's entity id when absent). */
  issuer?: string;
  /** The Response's top-level StatusCode (Success when absent). */
  status?: string;
  assertionId?: string;
  /** The AuthnStatement's SessionIndex (a random one when absent); a LogoutRequest names it. */
  sessionIndex?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const pemOf = (base64Der: string) => new X509Certificate(Buffer.from(base64Der, 'base64')).toString();

/**
 * The IdP: `base` is where its SSO (`/sso`) and SLO (`/slo`) URLs live (its metadata names them);
 * startSamlIdp serves them. `rotateKeys()` gives it a new key pair (its metadata then names the new
 * certificate: a key rollover); `entityAttributes` goes into the EntityDescriptor (cacheDuration, validUntil).
 */
export async function makeSamlIdp(entityId = 'https://idp.example.test/metadata', base = 'https://idp.example.test') {
  const newKeys = () => generate([{ name: 'commonName', value: 'test-idp.example.test' }], { keySize: 2048, algorithm: 'sha256' });
  let pems = await newKeys();
  const sso = `${base}/sso`;
  const slo = `${base}/slo`;
  const metadataOf = (entityAttributes: string) =>
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}"${entityAttributes}>` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${slo}"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${sso}/post"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`;

  /** The AuthnRequest a redirect to the SSO URL carries; its signature checked against `spCertPem` when given. */
  function read(redirectUrl: string, spCertPem?: string): AuthnRequestSeen {
    const url = new URL(redirectUrl);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(xml)?.[1] ?? '';
    let signature: AuthnRequestSeen['signature'] = 'none';
    const sig = url.searchParams.get('Signature');
    if (sig) {
      // The redirect binding signs the query's own encoding of SAMLRequest, RelayState and SigAlg, in that order.
      const raw = Object.fromEntries(url.search.slice(1).split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const signed = ['SAMLRequest', 'RelayState', 'SigAlg'].filter((k) => raw[k] !== undefined).map((k) => `${k}=${raw[k]}`).join('&');
      signature = spCertPem && verify('sha256', Buffer.from(signed), spCertPem, Buffer.from(sig, 'base64')) ? 'valid' : 'invalid';
    }
    return { id: attr('ID'), acs: attr('AssertionConsumerServiceURL'), issuer: /<(?:\w+:)?Issuer[^>]*>([^<]*)</.exec(xml)?.[1] ?? '', relayState: url.searchParams.get('RelayState') ?? '', signature, sigAlg: url.searchParams.get('SigAlg'), xml };
  }

  function signAt(xml: string, element: 'Assertion' | 'Response' | 'LogoutResponse' | 'LogoutRequest'): string {
    const sig = new SignedXml({ privateKey: pems.private, publicCert: pems.cert, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
    sig.addReference({ xpath: `/*[local-name(.)='${element}']`, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
    sig.computeSignature(xml, { location: { reference: `/*[local-name(.)='${element}']/*[local-name(.)='Issuer']`, action: 'after' } });
    return sig.getSignedXml();
  }

  /** A Response as the IdP would POST it, base64 (the SAMLResponse form field), and the XML before encoding. */
  async function response(o: ResponseOptions): Promise<{ SAMLResponse: string; xml: string; sessionIndex: string }> {
    const sessionIndex = o.sessionIndex ?? `_s${randomBytes(8).toString('hex')}`;
    const valid = o.validMs ?? 5 * 60_000;
    const irt = o.inResponseTo ? ` InResponseTo="${o.inResponseTo}"` : '';
    const attributes = Object.entries(o.attributes ?? {})
      .map(([k, v]) => `<saml:Attribute Name="${xmlText(k)}">${(Array.isArray(v) ? v : [v]).map((x) => `<saml:AttributeValue>${xmlText(x)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
      .join('');
    let assertion =
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId ?? `_a${randomBytes(16).toString('hex')}`}" Version="2.0" IssueInstant="${iso(o.now)}">` +
      `<saml:Issuer>${xmlText(o.issuer ?? entityId)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${xmlText(o.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(o.now + valid)}"${o.recipient === null ? '' : ` Recipient="${o.recipient ?? o.acs}"`}/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(o.now - 60_000)}" NotOnOrAfter="${iso(o.now + valid)}"><saml:AudienceRestriction><saml:Audience>${xmlText(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(o.now)}" SessionIndex="${sessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
      `</saml:Assertion>`;
    if (o.sign === 'assertion' || o.sign === undefined) assertion = signAt(assertion, 'Assertion');
    if (o.encryptTo) {
      const encrypted = await new Promise<string>((resolve, reject) =>
        xmlenc.encrypt(
          assertion,
          { rsa_pub: Buffer.from(new X509Certificate(o.encryptTo!).publicKey.export({ type: 'spki', format: 'pem' })), pem: Buffer.from(o.encryptTo!), encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm', keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', disallowEncryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false },
          (err, out) => (err ? reject(err) : resolve(out)),
        ),
      );
      assertion = `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${encrypted}</saml:EncryptedAssertion>`;
    }
    let xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(o.now)}"${o.destination === null ? '' : ` Destination="${o.destination ?? o.acs}"`}${irt}>` +
      `<saml:Issuer>${xmlText(o.issuer ?? entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;
    if (o.sign === 'response') xml = signAt(xml, 'Response');
    return { SAMLResponse: Buffer.from(xml).toString('base64'), xml, sessionIndex };
  }

  /** The IdP's LogoutResponse for the HTTP-POST binding: the form fields, the XML signed unless `unsigned`. */
  function logoutResponseForm(o: { to: string; inResponseTo: string; relayState: string; unsigned?: boolean; status?: string }): Record<string, string> {
    const xml = logoutXml(o);
    return { SAMLResponse: Buffer.from(o.unsigned ? xml : signAt(xml, 'LogoutResponse')).toString('base64'), RelayState: o.relayState };
  }

  function logoutXml(o: { to: string; inResponseTo: string; status?: string }): string {
    return (
      `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(Date.now())}" Destination="${o.to}" InResponseTo="${o.inResponseTo}">` +
      `<saml:Issuer>${entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status></samlp:LogoutResponse>`
    );
  }

  /** The IdP's LogoutResponse by HTTP-Redirect to `to` (the SP's /saml2/logout), signed unless `unsigned`. */
  function logoutResponse(o: { to: string; inResponseTo: string; relayState: string; unsigned?: boolean; status?: string }): string {
    const xml = logoutXml(o);
    const signed = `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}&RelayState=${encodeURIComponent(o.relayState)}&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    if (o.unsigned) return `${o.to}?${signed}`;
    return `${o.to}?${signed}&Signature=${encodeURIComponent(sign('sha256', Buffer.from(signed), pems.private).toString('base64'))}`;
  }

  /** An IdP-initiated LogoutRequest for the user (NameID, and the sign-in's SessionIndex when given). */
  function logoutRequestXml(o: LogoutRequestOptions): { id: string; xml: string } {
    const id = o.id ?? `_q${randomBytes(16).toString('hex')}`;
    const now = o.now ?? Date.now();
    const xml =
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(now)}" Destination="${o.destination ?? o.to}"${o.validMs === undefined ? '' : ` NotOnOrAfter="${iso(now + o.validMs)}"`}>` +
      `<saml:Issuer>${o.issuer ?? entityId}</saml:Issuer>` +
      `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${xmlText(o.nameId)}</saml:NameID>` +
      (o.sessionIndex ? `<samlp:SessionIndex>${xmlText(o.sessionIndex)}</samlp:SessionIndex>` : '') +
      `</samlp:LogoutRequest>`;
    return { id, xml };
  }

  /** The LogoutRequest by HTTP-Redirect to `to` (the SP's /saml2/logout), the query signed unless `unsigned`. */
  function logoutRequest(o: LogoutRequestOptions): { id: string; url: string } {
    const { id, xml } = logoutRequestXml(o);
    const relay = o.relayState === undefined ? '' : `&RelayState=${encodeURIComponent(o.relayState)}`;
    const signed = `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}${relay}&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    if (o.unsigned) return { id, url: `${o.to}?${signed}` };
    return { id, url: `${o.to}?${signed}&Signature=${encodeURIComponent(sign('sha256', Buffer.from(signed), pems.private).toString('base64'))}` };
  }

  /** The LogoutRequest for the HTTP-POST binding: the form fields, the XML signed unless `unsigned`. */
  function logoutRequestForm(o: LogoutRequestOptions): { id: string; fields: Record<string, string> } {
    const { id, xml } = logoutRequestXml(o);
    return { id, fields: { SAMLRequest: Buffer.from(o.unsigned ? xml : signAt(xml, 'LogoutRequest')).toString('base64'), ...(o.relayState === undefined ? {} : { RelayState: o.relayState }) } };
  }

  /** A LogoutResponse the SP sent back by HTTP-Redirect: its fields, and whether its signature is the SP's. */
  function readLogoutResponse(redirectUrl: string, spCertPem: string): { xml: string; inResponseTo: string; status: string; relayState: string | null; signature: 'none' | 'valid' | 'invalid' } {
    const url = new URL(redirectUrl);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLResponse')!, 'base64')).toString('utf8');
    const sig = url.searchParams.get('Signature');
    let signature: 'none' | 'valid' | 'invalid' = 'none';
    if (sig) {
      const raw = Object.fromEntries(url.search.slice(1).split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const signed = ['SAMLResponse', 'RelayState', 'SigAlg'].filter((k) => raw[k] !== undefined).map((k) => `${k}=${raw[k]}`).join('&');
      signature = verify('sha256', Buffer.from(signed), spCertPem, Buffer.from(sig, 'base64')) ? 'valid' : 'invalid';
    }
    return {
      xml,
      inResponseTo: /\sInResponseTo="([^"]*)"/.exec(xml)?.[1] ?? '',
      status: /StatusCode Value="([^"]*)"/.exec(xml)?.[1] ?? '',
      relayState: url.searchParams.get('RelayState'),
      signature,
    };
  }

  return {
    entityId,
    sso,
    slo,
    /** Attributes of the EntityDescriptor, e.g. ` cacheDuration="PT1H"` (with the leading space). */
    entityAttributes: '',
    get metadata() {
      return metadataOf(this.entityAttributes);
    },
    get certPem() {
      return pems.cert;
    },
    async rotateKeys() {
      pems = await newKeys();
    },
    read,
    response,
    logoutResponse,
    logoutResponseForm,
    logoutRequest,
    logoutRequestForm,
    readLogoutResponse,
  };
}

export interface LogoutRequestOptions {
  /** The SP's single logout URL (its /saml2/logout). */
  to: string;
  /** The Destination attribute, when not `to`. */
  destination?: string;
  nameId: string;
  sessionIndex?: string;
  relayState?: string;
  unsigned?: boolean;
  /** Another issuer than the IdP's entity id. */
  issuer?: string;
  id?: string;
  /** Issue time (epoch ms, default now); with validMs, NotOnOrAfter = now + validMs. */
  now?: number;
  validMs?: number;
}

export type SamlIdp = Awaited<ReturnType<typeof makeSamlIdp>>;

const page = (title: string, body: string, onload = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:sans-serif;background:#1d2b4f;color:#fff;display:flex;justify-content:center;padding-top:10vh}main{background:#fff;color:#222;padding:2em 3em;border-radius:8px;min-width:20em}h1{font-size:1.3em;color:#1d2b4f}label,input,button{display:block;margin:.4em 0}input{width:100%;padding:.4em}button{background:#1d2b4f;color:#fff;border:0;padding:.6em 1.2em;border-radius:4px}</style></head><body${onload ? ` onload="${onload}"` : ''}><main><h1>${title}</h1>${body}</main></body></html>`;
const hidden = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${xmlText(k)}" value="${xmlText(v)}">`).join('');

/** An app the IdP's portal launches by IdP-initiated sign-in: the ACS it posts to, the audience, the RelayState. */
export interface PortalApp {
  name: string;
  acs: string;
  audience: string;
  relayState: string;
}

/**
 * The test IdP served over HTTP, as a browser meets a real one: GET /sso (the AuthnRequest by
 * HTTP-Redirect) shows a sign-in page; its form posts to /sso/login, which answers with a page that
 * auto-POSTs the signed Response (SAMLResponse, RelayState) to the request's ACS URL, as IdPs do
 * (HTTP-POST binding, `onload` submit, a button without scripts). GET /portal lists `apps` for
 * IdP-initiated sign-in (GET /launch?app=N posts an unsolicited Response) and a "Sign out
 * everywhere" link (GET /logout-all sends a signed LogoutRequest by HTTP-Redirect to each SP the
 * user signed in to). GET /slo takes the SP's LogoutResponse (or LogoutRequest) and shows it.
 * `host` is the name the URLs use (localhost, so that the IdP is another site than the SP on
 * 127.0.0.1 and the POST back comes cross-site, as in production).
 */
export async function startSamlIdp(opts: { host?: string; entityId?: string } = {}) {
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://${opts.host ?? 'localhost'}:${(server.address() as AddressInfo).port}`;
  const idp = await makeSamlIdp(opts.entityId ?? `${base}/metadata`, base);
  const apps: PortalApp[] = [];
  /** Sign-ins made: the SP's single logout URL, the NameID and SessionIndex (for /logout-all). */
  const sessions: { slo: string; nameId: string; sessionIndex: string }[] = [];
  /** What /slo received, newest last. */
  const sloSeen: { kind: 'LogoutResponse' | 'LogoutRequest'; query: URLSearchParams }[] = [];
  /** Attributes for a user (by the name typed); default: email <name>@idp.example. */
  let attributesOf = (name: string): Record<string, string | string[]> => ({ email: `${name}@idp.example`, name: name[0]!.toUpperCase() + name.slice(1) });

  const extra = {
    base,
    /** GET /metadata: the MetadataURL of a provider. */
    metadataUrl: `${base}/metadata`,
    /** How many times /metadata was fetched. */
    metadataFetches: 0,
    apps,
    sessions,
    sloSeen,
    setAttributes(f: typeof attributesOf) {
      attributesOf = f;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const sloOf = (acs: string) => acs.replace(/\/saml2\/idpresponse$/, '/saml2/logout');
  const autoPost = async (acs: string, audience: string, nameId: string, relayState: string, inResponseTo?: string) => {
    const r = await idp.response({ acs, audience, nameId, attributes: attributesOf(nameId), now: Date.now(), ...(inResponseTo ? { inResponseTo } : {}) });
    sessions.push({ slo: sloOf(acs), nameId, sessionIndex: r.sessionIndex });
    return page(
      'Signing you in',
      `<form method="post" action="${xmlText(acs)}">${hidden({ SAMLResponse: r.SAMLResponse, RelayState: relayState })}<p>Taking you back to the application…</p><noscript><button type="submit">Continue</button></noscript></form>`,
      'document.forms[0].submit()',
    );
  };
  const form = async (req: http.IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    return new URLSearchParams(body);
  };
  const html = (res: http.ServerResponse, body: string, status = 200) => void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname === '/metadata') {
      served.metadataFetches++;
      return void res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.metadata);
    }
    if (req.method === 'GET' && url.pathname === '/sso') {
      const ar = idp.read(url.href);
      return html(
        res,
        page(
          'Test IdP sign-in',
          `<p>Signing in to <code>${xmlText(ar.issuer)}</code></p><form method="post" action="/sso/login">${hidden({ id: ar.id, acs: ar.acs, audience: ar.issuer, relayState: ar.relayState })}<label for="u">Username</label><input id="u" name="username" autocomplete="username"><label for="p">Password</label><input id="p" name="password" type="password"><button type="submit">Sign in</button></form>`,
        ),
      );
    }
    if (req.method === 'POST' && url.pathname === '/sso/login') {
      const f = await form(req);
      const name = f.get('username') ?? '';
      if (!/^[\w.-]+$/.test(name) || !f.get('password')) return html(res, page('Test IdP sign-in', '<p role="alert">Type a username and a password.</p>'), 400);
      return html(res, await autoPost(f.get('acs')!, f.get('audience')!, name, f.get('relayState') ?? '', f.get('id')!));
    }
    if (req.method === 'GET' && url.pathname === '/portal') {
      const user = url.searchParams.get('user') ?? 'pat';
      const tiles = apps.map((a, i) => `<li><a href="/launch?app=${i}&amp;user=${encodeURIComponent(user)}">${xmlText(a.name)}</a></li>`).join('');
      return html(res, page(`Test IdP portal: ${xmlText(user)}`, `<ul>${tiles}</ul><p><a href="/logout-all?user=${encodeURIComponent(user)}">Sign out everywhere</a></p>`));
    }
    if (req.method === 'GET' && url.pathname === '/launch') {
      const a = apps[Number(url.searchParams.get('app'))];
      if (!a) return html(res, page('Unknown app', '<p>No such app.</p>'), 404);
      return html(res, await autoPost(a.acs, a.audience, url.searchParams.get('user') ?? 'pat', a.relayState));
    }
    if (req.method === 'GET' && url.pathname === '/logout-all') {
      const user = url.searchParams.get('user') ?? 'pat';
      const s = sessions.filter((x) => x.nameId === user).at(-1);
      if (!s) return html(res, page('Signed out', '<p>No application to sign out of.</p>'));
      const { url: to } = idp.logoutRequest({ to: s.slo, nameId: s.nameId, sessionIndex: s.sessionIndex, relayState: 'idp-logout' });
      return void res.writeHead(302, { location: to }).end();
    }
    if (url.pathname === '/slo') {
      const q = req.method === 'POST' ? await form(req) : url.searchParams;
      const kind = q.get('SAMLResponse') ? 'LogoutResponse' : 'LogoutRequest';
      sloSeen.push({ kind, query: req.method === 'POST' ? q : new URLSearchParams(url.search) });
      const status = kind === 'LogoutResponse' ? /StatusCode Value="([^"]*)"/.exec(inflateRawSync(Buffer.from(q.get('SAMLResponse')!, 'base64')).toString('utf8'))?.[1] ?? '' : '';
      return html(res, page('Signed out of the test IdP', `<p id="status">${kind === 'LogoutResponse' ? `The application answered: ${xmlText(status.replace(/.*:/, ''))}` : 'Logout request received'}</p>`));
    }
    html(res, page('Not found', '<p>Not found.</p>'), 404);
  }

  const served = Object.assign(idp, extra);
  return served;
}
