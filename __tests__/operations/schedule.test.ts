import { parseSchedule, runningFraction, ScheduleError, scheduleCrons, weeklyRunningHours } from "../../src/operations/schedule";

describe("parseSchedule", () => {
  it("reads the seed's example", () => {
    const window = parseSchedule("mon-fri 08:00-19:00 Europe/Paris");
    expect(window).toMatchObject({
      days: ["mon", "tue", "wed", "thu", "fri"],
      startMinute: 480,
      stopMinute: 1140,
      timeZone: "Europe/Paris",
    });
    expect(weeklyRunningHours(window)).toBe(55);
    expect(runningFraction(window)).toBeCloseTo(55 / 168, 10);
    expect(scheduleCrons(window)).toEqual({ start: "cron(0 8 ? * MON-FRI *)", stop: "cron(0 19 ? * MON-FRI *)" });
  });

  it.each([
    ["daily 07:30-23:00 UTC", 7, "cron(30 7 ? * MON-SUN *)"],
    ["mon,wed,fri 09:00-17:00 America/New_York", 3, "cron(0 9 ? * MON,WED,FRI *)"],
    ["weekends 10:00-12:00 utc", 2, "cron(0 10 ? * SAT-SUN *)"],
    ["  SAT 00:00-24:00   Asia/Tokyo ", 1, "cron(0 0 ? * SAT *)"],
  ])("reads %j", (text, days, start) => {
    const window = parseSchedule(text);
    expect(window.days).toHaveLength(days);
    expect(scheduleCrons(window).start).toBe(start);
  });

  it("keeps a stop at 24:00 on the same day and canonicalizes the zone", () => {
    const window = parseSchedule("sat 00:00-24:00 utc");
    expect(window.timeZone).toBe("UTC");
    expect(scheduleCrons(window).stop).toBe("cron(59 23 ? * SAT *)");
    expect(weeklyRunningHours(window)).toBe(24);
  });

  it.each([
    ["", /three parts/],
    ["mon-fri 08:00-19:00", /three parts/],
    ["mon-fry 08:00-19:00 Europe/Paris", /"fry" is not a day/],
    ["fri-mon 08:00-19:00 UTC", /runs backwards/],
    ["mon-fri 8:00-19:00 UTC", /"8:00" is not a time/],
    ["mon-fri 08:00-25:00 UTC", /is not a time/],
    ["mon-fri 19:00-08:00 UTC", /stop time must come after/],
    ["mon-fri 08:00-08:00 UTC", /stop time must come after/],
    ["mon-fri 08:00 UTC", /not an hour range/],
    ["mon-fri 08:00-19:00 Mars/Olympus", /not an IANA time zone/],
  ])("rejects %j with one line", (text, reason) => {
    expect(() => parseSchedule(text)).toThrow(ScheduleError);
    expect(() => parseSchedule(text)).toThrow(reason);
    try {
      parseSchedule(text);
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });
});
