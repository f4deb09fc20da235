/** Health-check settings shared by the ALB target group, the ECS container and the EC2 container (AWS Copilot's defaults). */
export const HEALTH_CHECK = {
  /** Seconds between checks. */
  intervalSeconds: 30,
  /** Seconds a check may take. */
  timeoutSeconds: 5,
  /** Consecutive successes before a target counts as healthy. */
  healthyThreshold: 5,
  /** Consecutive failures before a target counts as unhealthy. */
  unhealthyThreshold: 2,
  /** HTTP codes that count as healthy. */
  matcher: "200",
  /** Seconds the ALB waits for in-flight requests before deregistering a task. */
  deregistrationDelaySeconds: 60,
} as const;

/** Default seconds a new task gets to load its model before failed health checks count (a variable). */
export const DEFAULT_GRACE_PERIOD_SECONDS = 180;

/**
 * The container's own health-check command in exec form. The images are python-slim without curl, so
 * Python's standard library does the HTTP GET; a non-2xx answer raises and exits non-zero. No double
 * quotes: CDKTF's jsonencode rendering does not escape them.
 */
export function containerHealthCommand(port: number, healthPath: string): string[] {
  const url = `http://127.0.0.1:${port}${healthPath}`;
  return ["python", "-c", `import urllib.request; urllib.request.urlopen('${url}', timeout=4)`];
}
