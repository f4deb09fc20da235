import type { HttpAnswer, HttpProbe } from "./adapters/http";
import type { Clock } from "./context";

/** How a health wait ended. */
export interface HealthResult {
  /** True when the URL answered 200. */
  healthy: boolean;
  /** Requests made. */
  attempts: number;
  /** The last answer: "HTTP 503", "ECONNREFUSED", ... */
  last: string;
}

/** Polls `url` until it answers 200 or `timeoutMs` has passed; `stillWorth` can end the wait early (e.g. the process died). */
export async function waitForHealthy(
  http: HttpProbe,
  clock: Clock,
  url: string,
  options: {
    timeoutMs: number;
    intervalMs: number;
    onAttempt?: (last: string, elapsedMs: number) => void;
    stillWorth?: () => boolean;
    /** Why an answer comes from the wrong server (ends the wait unhealthy), or undefined when it is the right one. */
    impostor?: (answer: HttpAnswer) => string | undefined;
  },
): Promise<HealthResult> {
  const started = clock.now();
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const answer = await http.get(url, Math.min(10_000, options.intervalMs * 2 + 1000));
    const wrong = answer.status !== undefined ? options.impostor?.(answer) : undefined;
    if (wrong) return { healthy: false, attempts, last: wrong };
    const last = answer.status !== undefined ? `HTTP ${answer.status}` : (answer.error ?? "no answer");
    if (answer.status === 200) return { healthy: true, attempts, last };
    const elapsed = clock.now() - started;
    options.onAttempt?.(last, elapsed);
    if (elapsed >= options.timeoutMs || (options.stillWorth && !options.stillWorth())) return { healthy: false, attempts, last };
    await clock.sleep(options.intervalMs);
  }
}
