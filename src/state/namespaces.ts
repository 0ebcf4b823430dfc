/**
 * The namespace of an object that does not name one. Every command must agree on it, so it
 * depends only on where the object's file is, never on `-n`: the nearest `kustomization.yaml`
 * (or `kustomization.yml`, `Kustomization`, the names kustomize reads) at or above the file's
 * folder, inside the state folder, whose `namespace:` is set — as `kubectl apply -k` would place
 * it — else the folder's own setting (`isctl project NAME`, kept in `.isctl/config.yaml`), else
 * `default`. The same value is what `-n` defaults to, as `oc project` sets the default namespace
 * of later commands.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The file names kustomize looks for in a folder (sigs.k8s.io/kustomize konfig.RecognizedKustomizationFileNames). */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Where the folder's own namespace setting is kept, relative to the state folder. */
export const FOLDER_CONFIG_FILE = '.isctl/config.yaml';

/** The namespace used when nothing else names one (the API server's `metav1.NamespaceDefault`). */
export const DEFAULT_NAMESPACE = 'default';

/** Where a folder namespace came from. */
export type NamespaceSource =
  | { kind: 'kustomization'; file: string }
  | { kind: 'setting'; file: string }
  | { kind: 'default' };

/** A namespace and where it came from. */
export interface FolderNamespace {
  namespace: string;
  source: NamespaceSource;
}

function readYamlMap(abs: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v: unknown = parse(text, { maxAliasCount: 100 });
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a broken kustomization is reported by the loader like any other file
  }
}

/** The `namespace:` of the folder's setting file, if it sets one. */
export function readFolderSetting(root: string): string | undefined {
  const ns = readYamlMap(path.join(root, FOLDER_CONFIG_FILE))?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}

/**
 * Resolves the namespace of namespace-less objects per folder of the state folder, reading each
 * kustomization file once. `rel` paths are relative to the root and `/`-separated.
 */
export class NamespaceResolver {
  private readonly byDir = new Map<string, FolderNamespace>();
  private readonly fallback: FolderNamespace;

  constructor(private readonly root: string) {
    const setting = readFolderSetting(root);
    this.fallback = setting
      ? { namespace: setting, source: { kind: 'setting', file: FOLDER_CONFIG_FILE } }
      : { namespace: DEFAULT_NAMESPACE, source: { kind: 'default' } };
  }

  /** The namespace of an object without `metadata.namespace` in the file `rel`. */
  forFile(rel: string): FolderNamespace {
    const dir = path.posix.dirname(rel);
    return this.forDir(dir === '.' ? '' : dir);
  }

  /** The namespace of namespace-less objects in the folder `dir` ('' = the state folder itself). */
  forDir(dir: string): FolderNamespace {
    const cached = this.byDir.get(dir);
    if (cached) return cached;
    let found: FolderNamespace | undefined;
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const file = dir ? `${dir}/${name}` : name;
      const ns = readYamlMap(path.join(this.root, file))?.namespace;
      if (typeof ns === 'string' && ns !== '') {
        found = { namespace: ns, source: { kind: 'kustomization', file } };
        break;
      }
    }
    if (!found) found = dir ? this.forDir(parentOf(dir)) : this.fallback;
    this.byDir.set(dir, found);
    return found;
  }
}

function parentOf(dir: string): string {
  const p = path.posix.dirname(dir);
  return p === '.' ? '' : p;
}

/** The state folder's namespace: what `-n` defaults to and where objects of its top folder belong. */
export function folderNamespace(root: string): FolderNamespace {
  return new NamespaceResolver(root).forDir('');
}
