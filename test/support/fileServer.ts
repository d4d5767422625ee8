import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback file server standing in for SharePoint/OneDrive, where Teams file download URLs point. */
export class FileServer {
  private readonly files = new Map<string, Buffer>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
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
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Serves `data` and returns the Teams attachment that points at it. */
  teamsFile(name: string, data: Buffer): { contentType: string; name: string; content: { downloadUrl: string; uniqueId: string; fileType: string } } {
    const path = `/files/${encodeURIComponent(name)}-${this.files.size}`;
    this.files.set(path, data);
    return {
      contentType: 'application/vnd.microsoft.teams.file.download.info',
      name,
      content: { downloadUrl: `${this.url}${path}`, uniqueId: `u-${this.files.size}`, fileType: name.split('.').pop() ?? '' },
    };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
