/**
 * Every provider the ARM emulator serves, in the order its provider registration list answers.
 * A new provider is its module (builders, `types`, routes, generation) plus one line here.
 */
import type { EmulatorProvider } from '../EmulatorProvider';
import { appConfigurationProvider } from './appConfiguration';
import { cacheProvider } from './cache';
import { computeProvider } from './compute';
import { containerServiceProvider } from './containerService';
import { documentDbProvider } from './documentDb';
import { keyVaultProvider } from './keyVault';
import { insightsProvider, managedIdentityProvider, operationalInsightsProvider } from './monitoring';
import { networkProvider } from './network';
import { resourceGraphProvider } from './resourceGraph';
import { resourceManagerProvider } from './resourceManager';
import { serviceBusProvider } from './serviceBus';
import { sqlProvider } from './sql';
import { storageProvider } from './storage';
import { webProvider } from './web';

export const EMULATOR_PROVIDERS: readonly EmulatorProvider[] = [
  computeProvider,
  networkProvider,
  storageProvider,
  webProvider,
  keyVaultProvider,
  appConfigurationProvider,
  insightsProvider,
  operationalInsightsProvider,
  resourceManagerProvider,
  sqlProvider,
  cacheProvider,
  containerServiceProvider,
  documentDbProvider,
  serviceBusProvider,
  managedIdentityProvider,
  resourceGraphProvider,
];
