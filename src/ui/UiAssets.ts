import fs from 'node:fs';
import path from 'node:path';
import type { HttpResponseInit } from '@azure/functions';
import { packageRoot } from '../app/packageRoot';
import { notFoundError, TopDeckError } from '../errors/TopDeckError';

/** The files `npm run build` writes for the page (web/ bundled by esbuild into dist/ui/). */
const CONTENT_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The page holds no data: it is served without a function key and asks for one (kept in the
 * browser session, sent as a header) when the API answers 401. The policy keeps it from
 * loading anything but its own files and calling anything but this API.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export class UiAssets {
  private readonly files = new Map<string, Buffer>();

  constructor(private readonly folder = path.join(packageRoot(), 'dist', 'ui')) {}

  page(): HttpResponseInit {
    return this.serve('index.html');
  }

  asset(name: string): HttpResponseInit {
    if (name === 'index.html' || !CONTENT_TYPES[name]) throw notFoundError(`the page has no file "${name}"`);
    return this.serve(name);
  }

  private serve(name: string): HttpResponseInit {
    return {
      status: 200,
      body: this.read(name),
      headers: { 'content-type': CONTENT_TYPES[name] as string, ...PAGE_HEADERS },
    };
  }

  /** Read once per process: the files change only with a new build (and a restart). */
  private read(name: string): Buffer {
    let file = this.files.get(name);
    if (!file) {
      try {
        file = fs.readFileSync(path.join(this.folder, name));
      } catch (e) {
        throw new TopDeckError({
          code: 'UiNotBuilt',
          message: `the page's file ${name} is missing from ${this.folder}; run npm run build`,
          transient: false,
          cause: e,
        });
      }
      this.files.set(name, file);
    }
    return file;
  }
}
