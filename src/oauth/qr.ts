/** A QR code drawn on the server as inline SVG (no script, no external asset), for the TOTP set-up page. */
import qrcode from 'qrcode-generator';

/** Modules of light margin around the code, as ISO/IEC 18004 asks (phones read it against any background). */
const QUIET_ZONE = 4;
/** CSS pixels a module: a whole number, so that on a screen the edges fall on pixels. */
const MODULE_PX = 4;

/**
 * The SVG of a QR code holding `text` (error correction M), with an accessible name: black modules
 * on white, the quiet zone included, one path of horizontal runs (a few KB), drawn with crisp
 * edges at a whole number of pixels a module; it shrinks with the page on a narrow screen.
 */
export function qrSvg(text: string, title: string): string {
  const q = qrcode(0, 'M');
  q.addData(text, 'Byte');
  q.make();
  const n = q.getModuleCount();
  const size = n + 2 * QUIET_ZONE;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; ) {
      if (!q.isDark(row, col)) {
        col++;
        continue;
      }
      let run = 1;
      while (col + run < n && q.isDark(row, col + run)) run++;
      d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h${run}v1h-${run}z`;
      col += run;
    }
  }
  const label = title.replace(/[&<>"']/g, '');
  const px = size * MODULE_PX;
  return (
    `<svg class="qr" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${px}" height="${px}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`
  );
}
