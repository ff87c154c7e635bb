import fs from 'node:fs';
import path from 'node:path';
import { startArmEmulator, type ArmEmulator, type ArmEmulatorOptions } from '../emulator';
import type { Logger } from '../telemetry/logger';

/**
 * The demo Resource Manager for `npm start`. With storage on disk it comes back on the port it
 * had: queued page messages carry continuation links naming that address (as Azure's nextLink
 * names management.azure.com), so a restart after a kill continues them instead of failing them.
 */
export async function startDemoEmulator(
  options: ArmEmulatorOptions,
  stateFile: string | undefined,
  logger: Logger,
): Promise<ArmEmulator> {
  const saved = stateFile ? readPort(stateFile) : undefined;
  let emulator: ArmEmulator;
  try {
    emulator = await startArmEmulator({ ...options, ...(saved ? { port: saved } : {}) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !saved) throw e;
    logger.warn('the demo estate cannot have its earlier port; pages a killed run left will fail', {
      port: saved,
    });
    emulator = await startArmEmulator({ ...options, port: 0 });
  }
  if (stateFile) {
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    // the certificate too: `topdeck demo change` talks to this emulator and must trust it
    fs.writeFileSync(
      stateFile,
      JSON.stringify({ port: Number(new URL(emulator.endpoint).port), caPem: emulator.caPem }) + '\n',
    );
  }
  return emulator;
}

/** What `npm start` saved of its demo emulator (port and certificate), if it ran one. */
export function readDemoEmulatorState(file: string): { port: number; caPem?: string } | undefined {
  const port = readPort(file);
  if (!port) return undefined;
  const caPem = (JSON.parse(fs.readFileSync(file, 'utf8')) as { caPem?: unknown }).caPem;
  return { port, ...(typeof caPem === 'string' ? { caPem } : {}) };
}

function readPort(file: string): number | undefined {
  try {
    const port = (JSON.parse(fs.readFileSync(file, 'utf8')) as { port?: unknown }).port;
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    // No earlier run (or an unreadable file): any port will do.
    return undefined;
  }
}
