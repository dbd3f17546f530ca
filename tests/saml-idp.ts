/**
 * A SAML 2.0 identity provider for the tests, built with the SAML XML libraries node-saml itself
 * stands on (xml-crypto for XML signatures, xml-encryption for EncryptedAssertion): its metadata (a
 * MetadataFile), the AuthnRequest read back from the HTTP-Redirect URL (inflated, its redirect
 * signature verified against the pool's certificate), and Responses made to order: signed on the
 * assertion, on the response or not at all, encrypted to a certificate, with any audience,
 * destination, InResponseTo and validity window, so every kind of bad answer can be sent.
 */
import { randomBytes, sign, verify, X509Certificate } from 'node:crypto';
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
  destination?: string;
  assertionId?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const pemOf = (base64Der: string) => new X509Certificate(Buffer.from(base64Der, 'base64')).toString();

export async function makeSamlIdp(entityId = 'https://idp.example.test/metadata') {
  const pems = await generate([{ name: 'commonName', value: 'test-idp.example.test' }], { keySize: 2048, algorithm: 'sha256' });
  const certBody = pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const sso = 'https://idp.example.test/sso';
  const metadata =
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/slo"/>` +
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

  function signAt(xml: string, element: 'Assertion' | 'Response' | 'LogoutResponse'): string {
    const sig = new SignedXml({ privateKey: pems.private, publicCert: pems.cert, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
    sig.addReference({ xpath: `/*[local-name(.)='${element}']`, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
    sig.computeSignature(xml, { location: { reference: `/*[local-name(.)='${element}']/*[local-name(.)='Issuer']`, action: 'after' } });
    return sig.getSignedXml();
  }

  /** A Response as the IdP would POST it, base64 (the SAMLResponse form field), and the XML before encoding. */
  async function response(o: ResponseOptions): Promise<{ SAMLResponse: string; xml: string }> {
    const valid = o.validMs ?? 5 * 60_000;
    const irt = o.inResponseTo ? ` InResponseTo="${o.inResponseTo}"` : '';
    const attributes = Object.entries(o.attributes ?? {})
      .map(([k, v]) => `<saml:Attribute Name="${xmlText(k)}">${(Array.isArray(v) ? v : [v]).map((x) => `<saml:AttributeValue>${xmlText(x)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
      .join('');
    let assertion =
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId ?? `_a${randomBytes(16).toString('hex')}`}" Version="2.0" IssueInstant="${iso(o.now)}">` +
      `<saml:Issuer>${entityId}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${xmlText(o.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(o.now + valid)}" Recipient="${o.acs}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(o.now - 60_000)}" NotOnOrAfter="${iso(o.now + valid)}"><saml:AudienceRestriction><saml:Audience>${xmlText(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(o.now)}" SessionIndex="_s${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
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
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(o.now)}" Destination="${o.destination ?? o.acs}"${irt}>` +
      `<saml:Issuer>${entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;
    if (o.sign === 'response') xml = signAt(xml, 'Response');
    return { SAMLResponse: Buffer.from(xml).toString('base64'), xml };
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

  return { entityId, sso, slo: 'https://idp.example.test/slo', metadata, certPem: pems.cert, read, response, logoutResponse, logoutResponseForm };
}
