import * as http from "http";
import * as https from "https";

/** One HTTP GET, answering with the status code or the reason there was none. */
export interface HttpProbe {
  /** Status code of GET `url`, or an error text (connection refused, timeout, ...). */
  get(url: string, timeoutMs: number): Promise<{ status?: number; error?: string }>;
}

/** The real probe using Node's http/https (self-signed certificates are accepted: this is a health check, not a transfer). */
export class NodeHttpProbe implements HttpProbe {
  get(url: string, timeoutMs: number): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      const client = url.startsWith("https:") ? https : http;
      const request = client.get(url, { timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
        response.resume();
        resolve({ status: response.statusCode });
      });
      request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
  }
}
