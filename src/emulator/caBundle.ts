import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Appends `caPem` to a new bundle file that also holds whatever
 * NODE_EXTRA_CA_CERTS already points to (when readable), and returns the
 * bundle's path — for child processes: `NODE_EXTRA_CA_CERTS=<path>`.
 * The bundle goes to `dir` (created if needed) or a fresh temp directory.
 */
export function writeCaBundle(caPem: string, dir?: string): string {
  const parts: string[] = [];
  const existing = process.env['NODE_EXTRA_CA_CERTS'];
  if (existing) {
    try {
      const content = fs.readFileSync(existing, 'utf8');
      if (content.trim()) parts.push(content.trimEnd());
    } catch {
      // unreadable bundle: Node itself only warns about it, so do the same and carry on
      process.emitWarning(
        `NODE_EXTRA_CA_CERTS points to an unreadable file (${existing}); bundle holds the emulator CA only`,
      );
    }
  }
  const pem = caPem.trim();
  if (!parts.some((p) => p.includes(pem))) parts.push(pem);

  let target: string;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    target = dir;
  } else {
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-ca-'));
  }
  const file = path.join(target, `ca-bundle-${process.pid}-${Date.now().toString(36)}.pem`);
  fs.writeFileSync(file, `${parts.join('\n')}\n`);
  return file;
}
