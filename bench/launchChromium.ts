import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Core } from 'cytoscape';
import { chromium, type BrowserContext } from 'playwright-core';
import type { TopDeckHandle } from '../web/src/GraphSnapshot';

declare global {
  interface Window {
    /** What web/src/graphView.ts exposes to the browser tests and this benchmark. */
    topdeckGraph?: {
      cy?: Core;
      loadStartedAt?: number;
      firstRenderMs?: number;
      firstFrameAt?: number;
      answerMs?: number;
      completeMs?: number;
    };
    /** The page's view of the graph (`window.topdeck.view()`) and its moves. */
    topdeck?: TopDeckHandle;
  }
}

/** Debian's chromium; `.ci/run` installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';

export interface RunningChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A headless chromium with a fresh profile (playwright passes it as `--user-data-dir`) and
 * nothing that calls out; the browser tests and the page benchmark share it.
 */
export async function launchChromium(): Promise<RunningChromium> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (.ci/run does)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
