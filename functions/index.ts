/**
 * Entry point for the Azure Functions host (Node v4 programming model). Registers the
 * one list of definitions; all logic lives in src/. Settings are read and validated
 * once, on first use, and the composition root is shared by every invocation.
 */
// First: Application Insights must start before http/https load (auto-collection).
import '../src/telemetry/preload';
import { app } from '@azure/functions';
import { createServices, type Services } from '../src/app/Services';
import { loadSettings } from '../src/config/settings';
import { createFunctionDefinitions } from '../src/runtime/definitions';

let services: Promise<Services> | undefined;
function getServices(): Promise<Services> {
  services ??= (async () => createServices({ settings: loadSettings(process.env) }))();
  // A failed start is not cached: the next invocation tries again (and reports the error again).
  services.catch(() => {
    services = undefined;
  });
  return services;
}

for (const def of createFunctionDefinitions(getServices)) {
  switch (def.kind) {
    case 'http':
      app.http(def.name, {
        route: def.route,
        methods: def.methods,
        authLevel: def.authLevel ?? 'function',
        handler: def.handler,
      });
      break;
    case 'timer':
      app.timer(def.name, { schedule: def.schedule, handler: def.handler });
      break;
    case 'queue':
      app.storageQueue(def.name, {
        queueName: def.queueName,
        connection: 'AzureWebJobsStorage',
        handler: def.handler,
      });
      break;
  }
}
