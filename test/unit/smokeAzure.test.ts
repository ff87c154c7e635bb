import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCredentials } from '../../src/smoke/smokeAzure';

describe('smoke:azure credentials', () => {
  it.each([
    [
      { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' },
      undefined,
      true,
      /service principal c/,
    ],
    [
      { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_CERTIFICATE_PATH: 'p' },
      undefined,
      true,
      /service principal/,
    ],
    [{}, '0b1f0000-0000-0000-0000-000000000001', true, /az login/],
    [{}, undefined, false, /AZURE_SUBSCRIPTION_IDS/],
    [{ AZURE_CLIENT_ID: 'c' }, undefined, false, /some are missing/],
  ])('%o with az subscription %s: ok=%s', (env, az, ok, message) => {
    const check = checkCredentials(env, az);
    expect(check.ok).toBe(ok);
    expect(check.message).toMatch(message);
  });

  it('with no credentials says exactly what to set and exits non-zero without starting anything', () => {
    const entry = path.resolve(__dirname, '../../dist/src/smoke/smokeAzure.js');
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
    // PATH holds node only: no az CLI to fall back on.
    const result = spawnSync(process.execPath, [entry], {
      env: { PATH: path.dirname(process.execPath) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    for (const name of [
      'az login',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_SUBSCRIPTION_IDS',
    ])
      expect(result.stderr).toContain(name);
    expect(result.stdout).toBe('');
  });
});
