/**
 * The running window of a non-production deployment ("mon-fri 08:00-19:00 Europe/Paris"), parsed strictly,
 * and what follows from it: EventBridge Scheduler cron expressions and the share of the week it runs.
 */

import { InputError } from "../validation/errors";

/** Day names in EventBridge cron order (cron days are names, so the order only matters for ranges). */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** One day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/** When a deployment runs: on these days, from start to stop (minutes after midnight), in this time zone. */
export interface ScheduleWindow {
  /** Days the deployment runs, in week order. */
  days: Weekday[];
  /** Minutes after midnight when it starts. */
  startMinute: number;
  /** Minutes after midnight when it stops (after startMinute: windows never cross midnight). */
  stopMinute: number;
  /** IANA time zone the times are in, e.g. "Europe/Paris". */
  timeZone: string;
  /** The text it was parsed from. */
  text: string;
}

/** Raised for a schedule that does not parse; the message is one line saying what is wrong and the expected form. */
export class ScheduleError extends InputError {
  constructor(text: string, reason: string) {
    super(`invalid schedule "${text}": ${reason} (expected e.g. "mon-fri 08:00-19:00 Europe/Paris")`);
    this.name = "ScheduleError";
  }
}

const DAY_ALIASES: Record<string, Weekday[]> = {
  daily: [...WEEKDAYS],
  weekdays: ["mon", "tue", "wed", "thu", "fri"],
  weekends: ["sat", "sun"],
};

function parseDays(text: string, field: string): Weekday[] {
  const alias = DAY_ALIASES[field];
  if (alias) return alias;
  const days = new Set<Weekday>();
  for (const part of field.split(",")) {
    const [from, to, extra] = part.split("-");
    const index = (name: string | undefined): number => {
      const found = WEEKDAYS.indexOf(name as Weekday);
      if (found < 0)
        throw new ScheduleError(text, `"${name ?? ""}" is not a day (mon, tue, wed, thu, fri, sat, sun, daily, weekdays, weekends)`);
      return found;
    };
    if (extra !== undefined) throw new ScheduleError(text, `"${part}" is not a day range`);
    const first = index(from);
    const last = to === undefined ? first : index(to);
    if (last < first) throw new ScheduleError(text, `day range "${part}" runs backwards (weeks start on mon)`);
    for (let day = first; day <= last; day++) days.add(WEEKDAYS[day]);
  }
  return WEEKDAYS.filter((day) => days.has(day));
}

function parseTime(text: string, field: string): number {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(field);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || minutes > 24 * 60) throw new ScheduleError(text, `"${field}" is not a time HH:MM between 00:00 and 24:00`);
  return minutes;
}

function checkTimeZone(text: string, zone: string): string {
  try {
    // Throws RangeError for a zone the runtime's time-zone database does not know; the resolved name is canonical.
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new ScheduleError(text, `"${zone}" is not an IANA time zone such as Europe/Paris or UTC`);
  }
}

/** Parses "<days> <HH:MM>-<HH:MM> <time zone>"; days are mon..sun, ranges (mon-fri), lists (mon,wed) or daily/weekdays/weekends. */
export function parseSchedule(text: string): ScheduleWindow {
  const fields = text.trim().toLowerCase().split(/\s+/);
  const original = text.trim().split(/\s+/);
  if (fields.length !== 3 || fields[0] === "") throw new ScheduleError(text, "it needs three parts: days, hours and time zone");
  const days = parseDays(text, fields[0]);
  const hours = fields[1].split("-");
  if (hours.length !== 2) throw new ScheduleError(text, `"${original[1]}" is not an hour range HH:MM-HH:MM`);
  const startMinute = parseTime(text, hours[0]);
  const stopMinute = parseTime(text, hours[1]);
  if (stopMinute <= startMinute) throw new ScheduleError(text, "the stop time must come after the start time on the same day");
  return { days, startMinute, stopMinute, timeZone: checkTimeZone(text, original[2]), text: original.join(" ") };
}

/** Hours a week the deployment runs. */
export function weeklyRunningHours(window: ScheduleWindow): number {
  return (window.days.length * (window.stopMinute - window.startMinute)) / 60;
}

/** Share of the week the deployment runs (0..1), what the compute part of the cost is multiplied by. */
export function runningFraction(window: ScheduleWindow): number {
  return weeklyRunningHours(window) / (7 * 24);
}

/** EventBridge Scheduler's day-of-week field: "MON-FRI" for a run of days, else a list. */
function cronDays(days: Weekday[]): string {
  const indexes = days.map((day) => WEEKDAYS.indexOf(day));
  const contiguous = indexes.every((value, i) => i === 0 || value === indexes[i - 1] + 1);
  const upper = days.map((day) => day.toUpperCase());
  return contiguous && days.length > 1 ? `${upper[0]}-${upper[upper.length - 1]}` : upper.join(",");
}

/**
 * The start and stop cron expressions in EventBridge Scheduler's form, cron(min hour ? * days *), to be
 * evaluated in the window's time zone. A stop at 24:00 is midnight at the end of the day: 23:59 keeps it on the same day.
 */
export function scheduleCrons(window: ScheduleWindow): { start: string; stop: string } {
  const cron = (minute: number): string => {
    const at = Math.min(minute, 24 * 60 - 1);
    return `cron(${at % 60} ${Math.floor(at / 60)} ? * ${cronDays(window.days)} *)`;
  };
  return { start: cron(window.startMinute), stop: cron(window.stopMinute) };
}
