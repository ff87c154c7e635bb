import type { TopDeckError } from '../errors/TopDeckError';

export type FailureKind = 'skip' | 'fail';

/**
 * What a permanent Resource Manager error means for a task, with a message that names
 * what to fix. An unregistered resource provider is not an error: the task is skipped.
 */
export function describeFailure(
  error: TopDeckError,
  task: { subscriptionId: string; resourceType: string; resourceGroup?: string },
): { kind: FailureKind; message: string } {
  const code = error.code.toLowerCase();
  const namespace = task.resourceType.split('/')[0];
  const where = `${task.resourceType} in subscription ${task.subscriptionId}`;
  if (
    code === 'missingsubscriptionregistration' ||
    code === 'noregisteredproviderfound' ||
    code === 'subscriptionnotregistered'
  ) {
    return {
      kind: 'skip',
      message: `resource provider ${namespace} is not registered in subscription ${task.subscriptionId}; nothing of type ${task.resourceType} can exist there (register it with: az provider register -n ${namespace})`,
    };
  }
  switch (error.statusCode) {
    case 401:
      return {
        kind: 'fail',
        message: `Resource Manager rejected the credentials listing ${where} (401 ${error.code}): check TOPDECK_ARM_TOKEN, or the managed identity and AZURE_CLIENT_ID`,
      };
    case 403:
      return {
        kind: 'fail',
        message: `the identity may not read ${where} (403 ${error.code}): assign it the Reader role on subscription ${task.subscriptionId}`,
      };
    case 404:
      if (code.includes('resourcegroup')) {
        return {
          kind: 'fail',
          message: `resource group ${task.resourceGroup ?? ''} was not found in subscription ${task.subscriptionId} (404): check AZURE_RESOURCE_GROUP`,
        };
      }
      return {
        kind: 'fail',
        message: `subscription ${task.subscriptionId} or ${task.resourceType} was not found (404 ${error.code}): check AZURE_SUBSCRIPTION_IDS`,
      };
    default:
      return {
        kind: 'fail',
        message: `listing ${where} failed permanently (${error.statusCode ?? ''} ${error.code}): ${error.message}`,
      };
  }
}
