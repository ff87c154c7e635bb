import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SCAN_SCHEDULE, SETTING_NAMES, SettingsError, loadSettings } from '../../src/config/settings';
import { timeSpanMs } from '../../src/runtime/hostConfig';

describe('settings', () => {
  it('defaults every optional setting', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      SCAN_SCHEDULE: DEFAULT_SCAN_SCHEDULE,
      AZURE_SUBSCRIPTION_IDS: [],
      TOPDECK_ARM_ENDPOINT: 'https://management.azure.com',
      AZURE_DEVOPS_BASE_URL: 'https://dev.azure.com',
      PORT: 7071,
    });
    expect(s.REDIS_URL).toBeUndefined();
  });

  it('normalises lists and trailing slashes', () => {
    const s = loadSettings({
      AZURE_SUBSCRIPTION_IDS: ' 0B1F0000-0000-0000-0000-000000000001 ,, 0b1f0000-0000-0000-0000-000000000002',
      TOPDECK_ARM_ENDPOINT: 'https://127.0.0.1:8443/',
    });
    expect(s.AZURE_SUBSCRIPTION_IDS).toEqual([
      '0b1f0000-0000-0000-0000-000000000001',
      '0b1f0000-0000-0000-0000-000000000002',
    ]);
    expect(s.TOPDECK_ARM_ENDPOINT).toBe('https://127.0.0.1:8443');
  });

  it('reports every problem at once, naming the setting and what is expected', () => {
    let error: unknown;
    try {
      loadSettings({
        SCAN_SCHEDULE: '0 */5 * * *',
        AZURE_SUBSCRIPTION_IDS: 'abc',
        TOPDECK_ARM_ENDPOINT: 'http://insecure',
        REDIS_URL: 'localhost:6379',
        PORT: 'x',
        AZURE_DEVOPS_PAT: 'a-pat-without-its-organisation',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    for (const name of [
      'SCAN_SCHEDULE',
      'AZURE_SUBSCRIPTION_IDS',
      'TOPDECK_ARM_ENDPOINT',
      'REDIS_URL',
      'PORT',
      'AZURE_DEVOPS_ORG',
    ]) {
      expect(problems).toContain(name);
    }
    expect((error as SettingsError).problems).toHaveLength(6);
  });

  it.each([
    ['00:00:05', 5000],
    ['00:01:00', 60_000],
    ['1.00:00:00', 86_400_000],
    ['00:00:00.250', 250],
    [undefined, 42],
  ])('reads the host.json TimeSpan %j', (v, ms) => expect(timeSpanMs(v, 42)).toBe(ms));

  it('rejects a malformed TimeSpan', () => expect(() => timeSpanMs('5s', 0)).toThrow(/TimeSpan/));
});

describe('local.settings.example.json', () => {
  it('lists every setting the code reads', () => {
    const example = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../local.settings.example.json'), 'utf8'),
    ) as {
      Values: Record<string, string>;
    };
    expect(SETTING_NAMES.filter((name) => !(name in example.Values))).toEqual([]);
    // The example must itself be a valid configuration.
    expect(() => loadSettings(example.Values)).not.toThrow();
  });
});
