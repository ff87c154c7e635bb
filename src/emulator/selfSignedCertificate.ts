import net from 'node:net';
import { generate } from 'selfsigned';

/**
 * A self-signed certificate for a loopback look-alike service (the Resource Manager emulator,
 * the test ingestion endpoint). It carries a CA flag so the same PEM is also the trust anchor
 * clients get through `tlsOptions.ca` or NODE_EXTRA_CA_CERTS.
 */
export async function selfSignedCertificate(
  organization: string,
  options: { host?: string; validDays?: number } = {},
): Promise<{ key: string; cert: string }> {
  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  const host = options.host;
  if (host && !['0.0.0.0', '::', 'localhost', '127.0.0.1', '::1'].includes(host)) {
    altNames.push(net.isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  const now = Date.now();
  const pems = await generate(
    [
      { name: 'commonName', value: 'localhost' },
      { name: 'organizationName', value: organization },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 86_400_000),
      notAfterDate: new Date(now + (options.validDays ?? 365) * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    },
  );
  return { key: pems.private, cert: pems.cert };
}
