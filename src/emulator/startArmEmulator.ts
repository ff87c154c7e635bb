/**
 * Starts the ARM emulator ("demo emulator") on HTTPS with a self-signed certificate, over an
 * estate generated from the options; resolves once it accepts connections.
 */
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateEstate } from './estate';
import { startKubernetesLookAlike } from './kubernetes/startKubernetesLookAlike';
import { selfSignedCertificate } from './selfSignedCertificate';
import { EmulatorCore } from './server';
import type { ArmEmulator, ArmEmulatorOptions } from './types';

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** Starts the emulator on HTTPS; resolves once it accepts connections. */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const host = options.host ?? '127.0.0.1';
  const estate = generateEstate({
    seed: options.seed,
    subscriptionCount: options.subscriptionCount,
    subscriptionIds: options.subscriptionIds,
    vmsPerSubscription: options.vmsPerSubscription,
    connected: options.connected,
  });
  const core = new EmulatorCore(estate, options);
  const { key, cert } = await selfSignedCertificate('TopDeck ARM emulator', { host });
  // The AKS clusters' API servers: listClusterUserCredential answers with a kubeconfig pointing here.
  core.kubernetes = await startKubernetesLookAlike({
    estate,
    key,
    cert,
    host,
    workloadsPerCluster: options.kubernetesWorkloadsPerCluster,
    latencyMs: options.kubernetesLatencyMs,
  });

  const server = https.createServer({ key, cert, keepAlive: true }, (req, res) => core.handle(req, res));
  server.keepAliveTimeout = 30_000;
  // Every socket, from the TCP accept on, to destroy at close: the server's closeAllConnections()
  // sees only connections that got as far as HTTP, and one still in its TLS handshake would hold
  // close() for the keep-alive timeout.
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('ARM emulator: no TCP address');
  const endpoint = `https://${endpointHost(host)}:${address.port}`;
  core.endpoint = endpoint;

  let tempDir: string;
  try {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-arm-emulator-'));
  } catch (err) {
    server.close();
    throw err;
  }
  const caFile = path.join(tempDir, 'ca.pem');
  fs.writeFileSync(caFile, cert);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const t of core.timers) clearTimeout(t);
      core.timers.clear();
      server.close(() => {
        fs.rmSync(tempDir, { recursive: true, force: true });
        void core.kubernetes?.close().then(resolve);
      });
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };

  return {
    endpoint,
    caPem: cert,
    caFile,
    estate,
    stats: () => core.stats(),
    resetStats: () => core.resetStats(),
    addFault: (rule) => core.addFault(rule),
    clearFaults: () => core.clearFaults(),
    driftVm: (name, rewrite) => core.driftVm(name, rewrite),
    driftResources: (type, rewrite) => core.driftResources(type, rewrite),
    removeResource: (id) => core.removeResource(id),
    requestLog: () => core.requestLog(),
    changeEstate: (change) => core.changes.apply(change),
    onResourceEvents: (sink) => core.changes.subscribe(sink),
    kubernetes: core.kubernetes,
    close,
  };
}
