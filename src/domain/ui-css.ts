/**
 * The CSS of SetUICustomization, checked as Cognito checks it: only rules whose selectors are the
 * classic hosted UI's customizable classes (developer guide, "Customizing hosted UI (classic)
 * branding"), no at-rules, nothing that loads a resource or leaves the style element.
 */
import { errors } from '../protocol/errors.js';

/** The class selectors Cognito lets a pool style (with their listed pseudo-classes). */
export const CUSTOMIZABLE_SELECTORS = new Set([
  '.background-customizable',
  '.banner-customizable',
  '.errorMessage-customizable',
  '.idpButton-customizable',
  '.idpButton-customizable:hover',
  '.idpDescription-customizable',
  '.inputField-customizable',
  '.inputField-customizable:focus',
  '.label-customizable',
  '.legalText-customizable',
  '.logo-customizable',
  '.passwordCheck-valid-customizable',
  '.passwordCheck-notValid-customizable',
  '.redirect-customizable',
  '.socialButton-customizable',
  '.submitButton-customizable',
  '.submitButton-customizable:hover',
  '.textDescription-customizable',
]);

const bad = (text: string) => errors.invalidParameter(`CSS: ${text}`);

/** The CSS as given, or InvalidParameterException naming what is wrong. Messages ours (unverified). */
export function checkUiCss(css: string): string {
  if (/[<>]/.test(css)) throw bad('the characters < and > are not allowed.');
  if (/\\/.test(css)) throw bad('escapes (\\) are not allowed.');
  const text = css.replace(/\/\*[\s\S]*?\*\//g, ' ');
  if (text.includes('/*')) throw bad('a comment is not closed.');
  if (text.includes('@')) throw bad('at-rules (@import, @media, @font-face, ...) are not allowed.');
  if (/url\s*\(|expression\s*\(|image-set\s*\(/i.test(text)) throw bad('url(), image-set() and expression() are not allowed: the pages load nothing from elsewhere.');
  let rest = text;
  while (rest.trim() !== '') {
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (open < 0 || close < open) throw bad('expected rules of the form ".label-customizable { ... }".');
    const selectors = rest.slice(0, open).split(',').map((s) => s.trim());
    const body = rest.slice(open + 1, close);
    if (body.includes('{')) throw bad('nested rules are not allowed.');
    for (const s of selectors) {
      if (!CUSTOMIZABLE_SELECTORS.has(s)) {
        throw bad(`the selector "${s.slice(0, 80)}" is not one of the customizable classes (${[...CUSTOMIZABLE_SELECTORS].join(', ')}).`);
      }
    }
    rest = rest.slice(close + 1);
  }
  return css;
}

/** The MIME type of a PNG or JPEG logo by its first bytes, else undefined. */
export function logoType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}
