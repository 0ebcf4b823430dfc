/**
 * `project [NAME]`: the folder's namespace, which `-n` defaults to and where objects without
 * `metadata.namespace` belong — what `oc project` shows and switches (openshift/oc
 * pkg/cli/project/project.go), kept in the state folder instead of a kubeconfig so that every
 * clone and every CI job sees the same namespaces.
 */
import { CommandError } from '../domain/errors.js';
import { namespaceProblems } from '../domain/validation.js';
import type { FolderNamespace } from '../state/namespaces.js';
import type { CoreContext } from './context.js';

/** What `project` reports. */
export interface ProjectResult {
  /** The folder's namespace now. */
  current: FolderNamespace;
  /** True when `project NAME` changed the folder's namespace. */
  changed: boolean;
}

/** The folder's namespace, and where it comes from. */
export function showProject(ctx: Pick<CoreContext, 'store'>): ProjectResult {
  return { current: ctx.store.folderNamespace(), changed: false };
}

/** Makes `name` the folder's namespace (the setting in .isctl/config.yaml). */
export async function setProject(ctx: Pick<CoreContext, 'store'>, input: { name: string }): Promise<ProjectResult> {
  const { name } = input;
  const problems = namespaceProblems(name);
  if (problems.length > 0) throw new CommandError(`invalid project name "${name}": ${problems.join('; ')}`);
  const now = ctx.store.folderNamespace();
  if (now.source.kind === 'kustomization' && now.namespace !== name) {
    // kubectl apply -k would put these objects into the kustomization's namespace whatever isctl says.
    throw new CommandError(
      `${now.source.file} sets namespace "${now.namespace}" for the whole state folder`,
      `change "namespace:" in ${now.source.file} instead`,
    );
  }
  if (now.namespace === name && now.source.kind !== 'default') return { current: now, changed: false };
  const { before, after } = await ctx.store.setFolderNamespace(name);
  return { current: after, changed: before.namespace !== after.namespace };
}
