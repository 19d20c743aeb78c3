import { UserError } from '../../diagnostics/user-error';
import type { DenyWindow } from '../../stacks/stage-workflow-config';

/** One parsed cron field: the values it matches. */
type Field = Set<number>;

const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
const NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

function parseField(text: string, i: number, where: string): Field {
  const [lo, hi] = RANGES[i];
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)$/.exec(part);
    if (!m) throw new UserError(where, `${NAMES[i]} field "${text}" is not a number, a-b range, a,b list or *`, 'write e.g. "0 18 * * 5" (Fridays 18:00)');
    const a = m[1] === '*' ? lo : Number(m[2]);
    const b = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : a;
    if (a < lo || b > hi || a > b) throw new UserError(where, `${NAMES[i]} "${part}" is outside ${lo}-${hi}`, `use ${NAMES[i]} values ${lo}-${hi}`);
    for (let v = a; v <= b; v++) out.add(v);
  }
  return out;
}

export interface ParsedWindow { window: DenyWindow; fields: Field[]; parts: Intl.DateTimeFormat }

/** Checks and parses a deny window; a UserError naming `where` for a bad schedule or time zone. */
export function parseDenyWindow(w: DenyWindow, where: string): ParsedWindow {
  const f = w.schedule.trim().split(/\s+/);
  if (f.length !== 5) throw new UserError(`${where}.schedule`, `"${w.schedule}" has ${f.length} fields, not 5`, 'write "minute hour day-of-month month day-of-week", e.g. "0 18 * * 5"');
  let parts: Intl.DateTimeFormat;
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
  } catch {
    throw new UserError(`${where}.timeZone`, `"${w.timeZone}" is not a time zone`, 'use an IANA name, e.g. "Europe/Berlin" or "UTC"');
  }
  if (!Number.isInteger(w.durationMinutes) || w.durationMinutes < 1 || w.durationMinutes > 10080) {
    throw new UserError(`${where}.durationMinutes`, `${w.durationMinutes} is not 1-10080`, 'give the window a length in minutes, at most a week');
  }
  return { window: w, fields: f.map((t, i) => parseField(t, i, `${where}.schedule`)), parts };
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Whether the schedule starts a window at this minute, read in the window's time zone (cron: day fields OR-ed when both are set). */
function startsAt(p: ParsedWindow, t: Date): boolean {
  const v: Record<string, string> = {};
  for (const x of p.parts.formatToParts(t)) v[x.type] = x.value;
  const [min, hour, dom, mon, dow] = p.fields;
  if (!min.has(Number(v.minute)) || !hour.has(Number(v.hour) % 24) || !mon.has(Number(v.month))) return false;
  const domAll = dom.size === 31;
  const dowAll = dow.size === 7;
  const domOk = dom.has(Number(v.day));
  const dowOk = dow.has(WEEKDAYS[v.weekday]);
  if (domAll || dowAll) return domOk && dowOk;
  return domOk || dowOk;
}

/** When the window open at `now` closes, or undefined when none is open (a start within the last durationMinutes). */
export function openWindowUntil(p: ParsedWindow, now: Date): Date | undefined {
  const minute = 60_000;
  const base = Math.floor(now.getTime() / minute) * minute;
  for (let back = 0; back < p.window.durationMinutes; back++) {
    const start = new Date(base - back * minute);
    if (startsAt(p, start)) return new Date(start.getTime() + p.window.durationMinutes * minute);
  }
  return undefined;
}
