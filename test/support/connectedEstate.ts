import { RESOURCES_CACHE_NAMESPACE } from '../../src/api/ResourcesApi';
import type { Services } from '../../src/app/Services';
import { ChangeLog } from '../../src/changes/ChangeLog';
import { DependencyStore } from '../../src/dependencies/DependencyStore';
import { updateDependencies } from '../../src/dependencies/updateDependencies';
import { primaryEntity } from '../../src/storage/resourceEntity';
import { upsertInBatches } from '../../src/storage/tables';
import { handMadeEstate } from '../dependencies/handMadeEstate';

/**
 * Until the demo emulator serves a connected estate (issue 7 adds networks, data stores and web
 * apps), the views that need edges get the hand-made one written next to the demo VMs, with
 * its dependencies detected exactly as finalize does.
 */
export async function seedConnectedEstate(
  services: Services,
  scanId = '20260101T000000Z-5eed5eed',
): Promise<void> {
  const at = new Date().toISOString();
  await upsertInBatches(
    services.tables.resources,
    handMadeEstate().map((r) =>
      primaryEntity(
        { id: r.id, name: r.name, type: r.type, location: 'eastus', tags: r.tags, properties: r.properties },
        { scanId, seenAt: at, canonicalType: r.type },
      ),
    ),
    'Replace',
  );
  await updateDependencies(
    {
      resources: services.tables.resources,
      store: new DependencyStore(services.tables.dependencies),
      changes: new ChangeLog(services.tables.changes, async () => []),
      heuristics: false,
    },
    scanId,
    at,
  );
  await services.cache.bumpVersion(RESOURCES_CACHE_NAMESPACE);
}
