import type { EdgeRule } from './EdgeRule';
import { strings } from './readProperties';

/** The type under which inferred applications join the index (they are not Azure resources). */
export const APPLICATION_TYPE = 'TopDeck/applications';

/** Node ids for what Azure DevOps discovery found; they are not ARM ids. */
export function applicationNodeId(environment: string, name: string): string {
  return `application:${environment}/${name}`.toLowerCase();
}
export function repositoryNodeId(id: string): string {
  return `repository:${id}`.toLowerCase();
}
export function deploymentNodeId(id: string | number): string {
  return `deployment:${id}`;
}

/**
 * An application depends on the Azure resources tagged with it (`tag`), and on the repositories
 * and deployments that ship it (matched by name: `naming`).
 */
export const applicationRules: EdgeRule = (view, emit) => {
  const { nodes } = view;
  for (const app of view.ofType(APPLICATION_TYPE)) {
    for (const r of strings(app.properties.resourceIds)) {
      const target = nodes.resolve(r);
      if (target)
        emit({
          sourceId: app.id,
          targetId: target,
          category: 'compute',
          strength: 0.8,
          method: 'tag',
          evidence: 'resource tags',
        });
    }
    for (const repo of strings(app.properties.repositoryIds))
      emit({
        sourceId: app.id,
        targetId: repositoryNodeId(repo),
        category: 'configuration',
        strength: 0.5,
        method: 'naming',
        evidence: 'repository name',
      });
    const deployments = Array.isArray(app.properties.deploymentIds) ? app.properties.deploymentIds : [];
    for (const d of deployments)
      if (typeof d === 'number' || typeof d === 'string')
        emit({
          sourceId: app.id,
          targetId: deploymentNodeId(d),
          category: 'configuration',
          strength: 0.3,
          method: 'naming',
          evidence: 'pipeline of a repository of the application',
        });
  }
};
