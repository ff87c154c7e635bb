import type { Tables } from '../storage/tables';
import type { Logger } from '../telemetry/logger';
import type { DevOpsClient } from './DevOpsClient';

/** Builds and deployment records asked for per call; the service caps build pages near 100 anyway. */
export const DEVOPS_PAGE_SIZE = 100;

/** What the Azure DevOps task pages and finalize steps work with. */
export interface DevOpsContext {
  client: DevOpsClient;
  tables: Tables;
  organization: string;
  commitCount: number;
  logger: Logger;
  now: () => Date;
}
