import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback file server standing in for SharePoint/OneDrive, where Teams file download URLs point. */
export class FileServer {
  private readonly files = new Map<string, Buffer>();
  private readonly redirects = new Map<string, string>();
  private server?: Server;
  url = '';
  port = 0;
  /** Every path asked for, in order: a refused download must leave no trace here. */
  readonly requests: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const location = this.redirects.get(req.url ?? '');
      if (location) {
        res.writeHead(302, { location });
        res.end();
        return;
      }
      const file = this.files.get(req.url ?? '');
      if (!file) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      res.end(file);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Serves `data` and returns the Teams attachment that points at it. */
  teamsFile(name: string, data: Buffer): TeamsFileAttachment {
    return teamsFileAt(name, `${this.url}${this.serve(name, data)}`);
  }

  /** Serves `data` at a path of its own and returns that path (put the server's or another host's name in front). */
  serve(name: string, data: Buffer): string {
    const path = `/files/${encodeURIComponent(name)}-${this.files.size}`;
    this.files.set(path, data);
    return path;
  }

  /** A path that answers "302 Found" pointing at `location`. */
  redirect(location: string): string {
    const path = `/redirect/${this.redirects.size}`;
    this.redirects.set(path, location);
    return path;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export type TeamsFileAttachment = { contentType: string; name: string; content: { downloadUrl: string; uniqueId: string; fileType: string } };

/** A Teams file attachment whose download link is `downloadUrl`: what an attacker sends with a link of their choosing. */
export function teamsFileAt(name: string, downloadUrl: string): TeamsFileAttachment {
  return {
    contentType: 'application/vnd.microsoft.teams.file.download.info',
    name,
    content: { downloadUrl, uniqueId: `u-${Math.random().toString(36).slice(2)}`, fileType: name.split('.').pop() ?? '' },
  };
}
