/**
 * Web pages served by the bot's own server, as plain data: the HTTP server (restify) turns a request
 * into a PageRequest and writes the PageResponse back; the page logic never sees the framework.
 */

export interface PageRequest {
  method: string;
  /** The route's path parameters, decoded. */
  params: Record<string, string>;
  /** The query string (the first value of each name). */
  query: Record<string, string>;
  /** Request headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body of a form POST (application/x-www-form-urlencoded); absent otherwise. */
  form?: unknown;
  /** The request reached the server over HTTPS, directly or through a proxy saying so (X-Forwarded-Proto). */
  secure: boolean;
}

export interface PageResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

export type PageHandler = (request: PageRequest) => Promise<PageResponse>;

/** One header's value: the first when repeated. */
export function header(request: Pick<PageRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
