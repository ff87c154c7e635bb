import type { PageSource } from './PageSource';
import type { ScanExtension } from './ScanExtension';

/**
 * A page of an extension's task (Azure DevOps): the same claim, markers and completion as an
 * Azure page; every failure, reading or writing, is described by the extension.
 */
export function extensionSource(extension: ScanExtension): PageSource {
  return {
    queueName: (msg) => extension.queueName(msg.resourceType),
    async read(msg) {
      const page = await extension.fetchPage(msg);
      return {
        ...(page.continuationToken ? { next: { continuationToken: page.continuationToken } } : {}),
        async write() {
          const counts = await page.write();
          return { counts, ...(page.spawn?.length ? { spawn: page.spawn } : {}) };
        },
      };
    },
    describeFailure: (error, msg) => ({ kind: 'fail', message: extension.describeFailure(error, msg) }),
  };
}
