/**
 * The pool's SAML service provider metadata (GET /saml2/metadata), written here rather than by
 * node-saml, whose generator ties AuthnRequestsSigned and the signing certificate together and
 * names no NameIDFormat unless the requests ask for one (found by the acceptance pass of issue 16):
 *
 *   AuthnRequestsSigned   "true" only when the providers it is for sign their AuthnRequests
 *                         (RequestSigningAlgorithm): an IdP that imports the metadata and enforces
 *                         it would otherwise refuse a provider's unsigned requests
 *   WantAssertionsSigned  "true" (the Response or the Assertion must be signed)
 *   KeyDescriptor         signing, always (LogoutRequests and LogoutResponses are always signed);
 *                         encryption, when a provider it is for has EncryptedResponses "true" (the
 *                         pool decrypts with that key), with the algorithms node-saml decrypts
 *   SingleLogoutService   /saml2/logout, HTTP-Redirect and HTTP-POST (both are read there)
 *   NameIDFormat          persistent, emailAddress, unspecified (any NameID is taken; a transient
 *                         one would make a new user at each sign-in, so it is not offered)
 *   AssertionConsumerService  /saml2/idpresponse, HTTP-POST
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface SpMetadataInput {
  entityId: string;
  acs: string;
  slo: string;
  /** The pool's certificate, PEM or base64 DER. */
  certificate: string;
  authnRequestsSigned: boolean;
  encryption: boolean;
}

const keyDescriptor = (use: 'signing' | 'encryption', der: string, methods: string[] = []) =>
  `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
  methods.map((m) => `<md:EncryptionMethod Algorithm="${m}"/>`).join('') +
  `</md:KeyDescriptor>`;

/** The decryption algorithms node-saml (xml-encryption) takes for an EncryptedAssertion. */
const ENCRYPTION_METHODS = [
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
];

export function spMetadataXml(i: SpMetadataInput): string {
  const der = i.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(i.entityId)}">` +
    `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="${i.authnRequestsSigned}" WantAssertionsSigned="true">` +
    keyDescriptor('signing', der) +
    (i.encryption ? keyDescriptor('encryption', der, ENCRYPTION_METHODS) : '') +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(i.slo)}"/>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(i.slo)}"/>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>` +
    `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(i.acs)}" index="1" isDefault="true"/>` +
    `</md:SPSSODescriptor></md:EntityDescriptor>\n`
  );
}
