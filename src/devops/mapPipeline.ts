import { devopsProjectPartitionKey, tableKey } from '../storage/keys';
import type { Pipeline } from './DevOpsItems';
import type { PipelineJson } from './restTypes';

/** A pipeline definition as `_apis/pipelines` lists it. */
export function mapPipeline(raw: PipelineJson, organization: string, project: string): Pipeline {
  if (typeof raw.id !== 'number' || !raw.name) throw new TypeError('pipeline has no id or name');
  return {
    key: tableKey(devopsProjectPartitionKey(organization, project), String(raw.id)),
    id: raw.id,
    name: raw.name,
    ...(raw.folder ? { folder: raw.folder } : {}),
    ...(typeof raw.revision === 'number' ? { revision: raw.revision } : {}),
    organization,
    project,
    ...(raw.url ? { url: raw.url } : {}),
  };
}
