/**
 * The arguments of the read commands (`get`, `describe`, `delete`): `TYPE NAME…` or `TYPE/NAME…`,
 * `-l`, and `-A` with kubectl's rules and wording.
 */
import { resolveResource, type ImageResource } from '../core/get.js';
import { parseLabelSelector, type LabelSelector } from '../core/selector.js';
import { CommandError } from '../domain/errors.js';
import type { GlobalOptions } from './globals.js';

/** Splits `TYPE NAME…` or `TYPE/NAME…` into one resource and its names. */
export function resourceAndNames(type: string, names: string[]): { resource: ImageResource; names: string[] } {
  if (!type.includes('/')) return { resource: resolveResource(type), names };
  const all = [type, ...names].map((a) => {
    const i = a.indexOf('/');
    if (i <= 0)
      throw new CommandError(
        `there is no need to specify a resource type as a separate argument when passing arguments ` +
          `in resource/name form (e.g. 'isctl get is/myapp' instead of 'isctl get is is/myapp')`,
      );
    return { resource: resolveResource(a.slice(0, i)), name: a.slice(i + 1) };
  });
  const resource = all[0].resource;
  if (all.some((a) => a.resource !== resource))
    throw new CommandError('isctl get takes names of one resource type at a time');
  return { resource, names: all.map((a) => a.name) };
}

/** The `-l` selector of a read command; names and a selector exclude each other, as in kubectl. */
export function selectorOf(raw: string | undefined, names: string[]): { selector?: LabelSelector } {
  if (raw === undefined) return {};
  if (names.length > 0) throw new CommandError('name cannot be provided when a selector is specified');
  return { selector: parseLabelSelector(raw) };
}

/** Refuses names with `-A`; returns kubectl's `No resources found` wording for the scope. */
export function readScope(g: GlobalOptions, names: string[]): { empty: string } {
  if (g.allNamespaces && names.length > 0)
    throw new CommandError('a resource cannot be retrieved by name across all namespaces');
  return { empty: g.allNamespaces ? 'No resources found' : `No resources found in ${g.namespace} namespace.` };
}

/** What `get` and `describe` say of the resource types when none is given. */
export const RESOURCE_TYPES = 'isctl knows is (imagestreams), istag (imagestreamtags) and isimage (imagestreamimages).';
