import { describe, expect, it } from 'vitest';
import { parseKubeconfig } from '../../src/kubernetes/parseKubeconfig';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(user: string[], server = 'https://aks-demo-dns-1a2b.hcp.eastus.azmk8s.io:443'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: aks-demo',
    '  cluster:',
    `    certificate-authority-data: ${b64(CA)}`,
    `    server: ${server}`,
    'contexts:',
    '- name: aks-demo',
    '  context: {cluster: aks-demo, user: clusterUser}',
    'current-context: aks-demo',
    'users:',
    '- name: clusterUser',
    '  user:',
    ...user,
  ].join('\n');
}

describe('parseKubeconfig', () => {
  it.each([
    {
      name: 'a local account with a token',
      user: ['    token: 0123456789abcdef'],
      expected: { token: '0123456789abcdef' },
    },
    {
      name: 'a local account with a client certificate',
      user: [`    client-certificate-data: ${b64('CERT')}`, `    client-key-data: ${b64('KEY')}`],
      expected: { clientCertPem: 'CERT', clientKeyPem: 'KEY' },
    },
    {
      name: "an Entra cluster's kubelogin exec user (recorded, not run)",
      user: [
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        '      command: kubelogin',
        '      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]',
      ],
      expected: { execCommand: 'kubelogin' },
    },
  ])('reads the server, the CA and $name', ({ user, expected }) => {
    const parsed = parseKubeconfig(kubeconfig(user));
    expect(parsed).toEqual({
      server: 'https://aks-demo-dns-1a2b.hcp.eastus.azmk8s.io:443',
      caPem: CA,
      ...expected,
    });
  });

  it('reads the bytes Resource Manager returns (the SDK decodes kubeconfigs[].value to bytes)', () => {
    const bytes = new TextEncoder().encode(kubeconfig(['    token: abcdefgh12345678']));
    expect(parseKubeconfig(bytes).token).toBe('abcdefgh12345678');
  });

  it('says what is missing when there is no server', () => {
    expect(() =>
      parseKubeconfig('apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n'),
    ).toThrow(/no current cluster with a server URL/);
  });
});
