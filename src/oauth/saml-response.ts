/**
 * The checks of a SAML Response that node-saml does not make (found by the acceptance pass of
 * issue 16), on the Response as posted and on the assertion node-saml verified (decrypted when it
 * came encrypted):
 *
 *   status       the Response's top-level StatusCode must be Success: node-saml reads the status
 *                only when there is no assertion, so a signed assertion inside a Responder or
 *                Requester answer was taken (SAML core 3.2.2.2: the assertion of a non-success
 *                answer is not an authentication).
 *   issuer       the Assertion's Issuer (required, SAML core 2.3.3) and the Response's (when it has
 *                one) must be the metadata's entityID: node-saml's idpIssuer is only used for
 *                logout messages. Several providers may trust one signing certificate (an ADFS
 *                farm, an Entra tenant, a Keycloak realm); the signature alone does not say which.
 *   Destination  a signed Response must carry it (SAML bindings 3.5.5.2); its value was already
 *                compared with the ACS URL.
 *   Recipient    a bearer SubjectConfirmation must carry a SubjectConfirmationData with Recipient
 *                (SAML profiles 4.1.4.2); values were already compared with the ACS URL.
 * Each refusal names what is wrong, for the admin reading error_description.
 */
import { DOMParser } from '@xmldom/xmldom';

const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

interface El {
  namespaceURI: string | null;
  localName: string | null;
  textContent: string | null;
  childNodes: { length: number; [i: number]: unknown };
  getAttribute(name: string): string | null;
}

/** The element children of `el` with that namespace and local name (direct children only: no wrapped copies). */
function children(el: El, ns: string, name: string): El[] {
  const out: El[] = [];
  for (let i = 0; i < el.childNodes.length; i++) {
    const n = el.childNodes[i] as El;
    if (n && n.namespaceURI === ns && n.localName === name) out.push(n);
  }
  return out;
}

const short = (uri: string) => uri.replace(/^urn:oasis:names:tc:SAML:2\.0:status:/, '');

/**
 * Checks the Response (XML as posted) and its verified assertion (XML); `entityId` is the
 * metadata's. Returns the assertion's issuer (the IdP an assertion ID belongs to, for replays).
 */
export function checkResponseEnvelope(responseXml: string, assertionXml: string, entityId: string | undefined): { issuer: string } {
  const parser = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined } });
  const response = parser.parseFromString(responseXml, 'text/xml').documentElement as unknown as El | null;
  const assertion = parser.parseFromString(assertionXml, 'text/xml').documentElement as unknown as El | null;
  if (!response || response.namespaceURI !== SAMLP_NS || response.localName !== 'Response') throw new Error('the message is not a SAML Response');
  if (!assertion || assertion.namespaceURI !== SAML_NS || assertion.localName !== 'Assertion') throw new Error('the response carries no assertion');

  const status = children(response, SAMLP_NS, 'Status')[0];
  const code = status ? children(status, SAMLP_NS, 'StatusCode')[0] : undefined;
  const value = code?.getAttribute('Value') ?? undefined;
  if (value !== SUCCESS) {
    const sub = code ? children(code, SAMLP_NS, 'StatusCode')[0]?.getAttribute('Value') : undefined;
    const message = status ? children(status, SAMLP_NS, 'StatusMessage')[0]?.textContent?.trim() : undefined;
    throw new Error(`the identity provider did not sign the user in (status ${value ? short(value) : 'absent'}${sub ? `, ${short(sub)}` : ''}${message ? `: ${message.slice(0, 200)}` : ''})`);
  }

  if (!entityId) throw new Error('the metadata names no entityID to check the issuer with');
  const assertionIssuer = children(assertion, SAML_NS, 'Issuer')[0]?.textContent?.trim();
  if (!assertionIssuer) throw new Error('the assertion has no Issuer');
  if (assertionIssuer !== entityId) throw new Error(`the assertion is issued by ${assertionIssuer}, not ${entityId} (Issuer, the metadata's entityID)`);
  const responseIssuer = children(response, SAML_NS, 'Issuer')[0]?.textContent?.trim();
  if (responseIssuer !== undefined && responseIssuer !== entityId) throw new Error(`the response is issued by ${responseIssuer}, not ${entityId} (Issuer, the metadata's entityID)`);

  if (children(response, DS_NS, 'Signature').length && !response.getAttribute('Destination')) throw new Error('the signed response has no Destination');

  const subject = children(assertion, SAML_NS, 'Subject')[0];
  const bearers = subject ? children(subject, SAML_NS, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === BEARER) : [];
  if (!bearers.length) throw new Error('the assertion has no bearer SubjectConfirmation');
  const withRecipient = bearers.some((c) => children(c, SAML_NS, 'SubjectConfirmationData').some((d) => !!d.getAttribute('Recipient')));
  if (!withRecipient) throw new Error('the assertion\'s bearer SubjectConfirmationData has no Recipient');
  return { issuer: assertionIssuer };
}
