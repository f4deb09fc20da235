import * as http from "http";
import * as https from "https";

/** What one GET got: the status and the start of the body, or the reason there was no answer. */
export interface HttpAnswer {
  status?: number;
  error?: string;
  /** Up to the first 64 KiB of the body (absent when there was no answer). */
  body?: string;
}

/** One HTTP GET, answering with the status code or the reason there was none. */
export interface HttpProbe {
  /** Status code (and body) of GET `url`, or an error text (connection refused, timeout, ...). */
  get(url: string, timeoutMs: number): Promise<HttpAnswer>;
}

const MAX_BODY = 64 * 1024;

/** The real probe using Node's http/https (self-signed certificates are accepted: this is a health check, not a transfer). */
export class NodeHttpProbe implements HttpProbe {
  get(url: string, timeoutMs: number): Promise<HttpAnswer> {
    return new Promise((resolve) => {
      const client = url.startsWith("https:") ? https : http;
      const request = client.get(url, { timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk.slice(0, MAX_BODY - body.length);
        });
        response.on("end", () => resolve({ status: response.statusCode, body }));
        response.on("error", () => resolve({ status: response.statusCode, body }));
      });
      request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
  }
}
