/**
 * Small text helpers for explanations. Values taken from a token (unverified header fields, claim
 * values) may be attacker-chosen: they are shortened and stripped of control characters before
 * they reach a log line or the terminal.
 */

const MAX_PREVIEW = 120;
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A short, printable rendering of any value: strings quoted, others as JSON. */
export function preview(value: unknown, max = MAX_PREVIEW): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = text.replace(CONTROL, '?');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "41 s", "3 min 12 s", "2 h 5 min", "3 d 4 h": how people say an age. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(Math.abs(totalSeconds)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return joinUnits(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86_400) return joinUnits(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  return joinUnits(Math.floor(s / 86_400), 'd', Math.floor((s % 86_400) / 3600), 'h');
}

function joinUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}

/** A NumericDate (seconds) as an ISO timestamp, or a preview when it is not a usable number. */
export function isoTime(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return preview(seconds);
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000Z', 'Z');
}

/** `"a"` or `"a", "b"` for one or several configured values. */
export function listText(values: string | readonly string[]): string {
  return (typeof values === 'string' ? [values] : values).map((v) => JSON.stringify(v)).join(' or ');
}

/** Free text (an error message) made safe for one log line: no control characters, bounded length. */
export function cleanText(text: string, max = 200): string {
  const clean = text.replace(CONTROL, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
