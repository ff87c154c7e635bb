/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, on purpose (below) */
/**
 * The provider SDKs, each loaded on first use. Together they take ~400 ms to load; a process
 * that starts (a Functions cold start, an HTTP-only instance) should not pay that before it
 * lists anything, nor delay its start-up telemetry by it.
 */
export const sdk = {
  network: (): typeof import('@azure/arm-network') => require('@azure/arm-network'),
  storage: (): typeof import('@azure/arm-storage') => require('@azure/arm-storage'),
  keyVault: (): typeof import('@azure/arm-keyvault') => require('@azure/arm-keyvault'),
  appConfiguration: (): typeof import('@azure/arm-appconfiguration') =>
    require('@azure/arm-appconfiguration'),
  appService: (): typeof import('@azure/arm-appservice') => require('@azure/arm-appservice'),
  containerService: (): typeof import('@azure/arm-containerservice') =>
    require('@azure/arm-containerservice'),
  sql: (): typeof import('@azure/arm-sql') => require('@azure/arm-sql'),
  redis: (): typeof import('@azure/arm-rediscache') => require('@azure/arm-rediscache'),
  cosmosDb: (): typeof import('@azure/arm-cosmosdb') => require('@azure/arm-cosmosdb'),
  serviceBus: (): typeof import('@azure/arm-servicebus') => require('@azure/arm-servicebus'),
  resources: (): typeof import('@azure/arm-resources') => require('@azure/arm-resources'),
  resourceGraph: (): typeof import('@azure/arm-resourcegraph') => require('@azure/arm-resourcegraph'),
};
