/** A QR code drawn on the server as inline SVG (no script, no external asset), for the TOTP set-up page. */
import qrcode from 'qrcode-generator';

/** The SVG of a QR code holding `text` (error correction M), scalable, with an accessible title. */
export function qrSvg(text: string, title: string): string {
  const q = qrcode(0, 'M');
  q.addData(text, 'Byte');
  q.make();
  return q.createSvgTag({ cellSize: 4, margin: 4, scalable: true }).replace('<svg ', `<svg class="qr" role="img" aria-label="${title.replace(/[&<>"']/g, '')}" `);
}
