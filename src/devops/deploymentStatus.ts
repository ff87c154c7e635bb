import type { DeploymentStatus } from './DevOpsItems';

/**
 * A build's deployment status (reference-behaviour.md): the result first, then the status.
 * `postponed` (and `notStarted`, `inProgress`) is in progress; an unknown value with no result
 * is in progress too, as the build has not ended.
 */
export function deploymentStatus(status: string | undefined, result: string | undefined): DeploymentStatus {
  switch ((result ?? '').toLowerCase()) {
    case 'succeeded':
    case 'partiallysucceeded':
      return 'success';
    case 'failed':
      return 'failed';
    case 'canceled':
    case 'cancelled':
      return 'cancelled';
  }
  switch ((status ?? '').toLowerCase()) {
    case 'completed':
      return 'success';
    case 'cancelling':
      return 'cancelled';
    default:
      return 'in_progress';
  }
}
