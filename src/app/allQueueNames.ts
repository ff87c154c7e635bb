import { DEVOPS_QUEUES } from '../devops/DevOpsScanExtension';
import { KUBERNETES_QUEUE } from '../kubernetes/KubernetesScanExtension';
import { DISCOVERERS, FINALIZE_QUEUE, POISON_SUFFIX, discoverQueueName } from '../discovery/registry';
import { RESOURCE_EVENTS_QUEUE } from '../events/ResourceEvent';

/** Every queue TopDeck uses, poison queues included (created at start). */
export function allQueueNames(): string[] {
  const work = [
    ...DISCOVERERS.map(discoverQueueName),
    ...DEVOPS_QUEUES,
    KUBERNETES_QUEUE,
    FINALIZE_QUEUE,
    RESOURCE_EVENTS_QUEUE,
  ];
  return [...work, ...work.map((q) => q + POISON_SUFFIX)];
}
