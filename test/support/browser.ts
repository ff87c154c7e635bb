import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, type RunningChromium } from '../../bench/launchChromium';

export type RunningBrowser = RunningChromium;
export const launchBrowser = launchChromium;

/** Screenshots land here (git-ignored), one file per view, for a person to look at. */
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
