/**
 * `npm run screenshot`: refreshes docs/screenshot.png, the README's picture of the page. It runs
 * what `npm start` runs (the built local runtime, demo estate, storage in memory, any free port),
 * waits for the first scan, opens the graph of one resource group in Debian's
 * chromium (playwright-core) and saves it; then stops the runtime it started.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = path.join(ROOT, 'docs', 'screenshot.png');
const CHROMIUM = '/usr/bin/chromium';
/** the first scan of the default demo estate takes about 15 s here; a shared machine, longer */
const SCAN_TIMEOUT_MS = 180_000;

function fail(message) {
  console.error(`screenshot: ${message}`);
  process.exitCode = 1;
}

/** Starts the local runtime; resolves with its base URL once its first scan has ended. */
function startRuntime() {
  const entry = path.join(ROOT, 'dist', 'src', 'runtime', 'cli.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [entry, '--memory'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise((resolve, reject) => {
    let baseUrl;
    let text = '';
    const timer = setTimeout(() => reject(new Error('the first scan did not end in time')), SCAN_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      text += chunk.toString('utf8');
      baseUrl ??= /page (http:\/\/\S+)\/api\/ui/.exec(text)?.[1];
      // `npm start` prints "serving <url>/api ..." once the first scan has ended
      if (baseUrl && /\nserving http/.test(text)) {
        clearTimeout(timer);
        resolve(baseUrl);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local runtime exited (${code}) before its first scan ended`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { ready, stop };
}

async function main() {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium"`);
  const runtime = startRuntime();
  try {
    const baseUrl = await runtime.ready;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      // the whole demo estate as the page opens on it: one box per application or resource group
      await page.goto(`${baseUrl}/api/ui#graph`);
      await page.waitForSelector('#cy[data-complete="true"]', { timeout: 60_000 });
      // the layout animates after it completes (about 0.5 s): let it settle
      await page.waitForTimeout(2000);
      await page.screenshot({ path: OUTPUT });
      console.log(`screenshot: ${path.relative(ROOT, OUTPUT)} (the demo estate's graph as it opens)`);
    } finally {
      await browser.close();
    }
  } finally {
    await runtime.stop();
  }
}

main().catch((e) => fail(e.message));
