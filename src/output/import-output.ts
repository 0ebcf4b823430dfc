/**
 * What `import-image` prints, exactly as oc's Run does (openshift/oc
 * pkg/cli/importimage/importimage.go Run and wasError): the name line with
 * `imported` / `imported with errors` / ` (dry run)`, the stream describe, one image describe per
 * imported image, the additional-tags info line; failures go to stderr as oc words them.
 */
import type { ImportImageResult } from '../core/import.js';
import { describeImage } from './describe-image.js';
import { describeImageStream } from './describe-imagestream.js';
import { joinImageStreamTag } from '../domain/imagestream.js';
import { escapeControls } from '../domain/escape.js';
import type { ImageStream } from '../domain/types.js';
import { goEscape, sortKeys } from './serialize.js';

/** The stdout text and stderr lines of an import. */
export interface ImportOutput {
  stdout: string;
  stderr: string[];
}

/** Renders an import result the way `oc import-image` prints it. */
export function renderImportResult(r: ImportImageResult, now: Date): ImportOutput {
  let message = r.failed ? 'imported with errors' : 'imported';
  if (r.dryRun) message += ' (dry run)';
  message += '\n\n';
  if (r.stream) message += `${describeImageStream(r.stream, now)}\n`;
  const stderr: string[] = [];
  // A repository that cannot be listed has no images in result.Status.Repository (openshift-apiserver
  // importer.go applyErrorToRepository), so Run prints no line for it; its status only makes wasError true.
  for (const img of [...r.images.filter((i) => i.fromRepository), ...r.images.filter((i) => !i.fromRepository)]) {
    if (img.image) {
      message += `${describeImage(img.image, joinImageStreamTag(r.streamName, img.displayTag), now)}\n`;
    } else {
      stderr.push(
        `error: ${img.fromRepository ? 'repository tag' : 'tag'} ${img.displayTag} failed: ${img.error?.message ?? ''}`,
      );
    }
  }
  if (r.additionalTags.length > 0) {
    message += `\ninfo: The remote repository contained ${r.additionalTags.length} additional tags which were not imported: ${r.additionalTags.join(', ')}\n`;
  }
  return {
    stdout: escapeControls(`imagestream.image.openshift.io/${r.streamName} ${message}\n`),
    stderr: stderr.map((l) => escapeControls(l)),
  };
}

/** The field order of a Go struct, and the shapes of its nested fields (an array's items alike). */
interface GoShape {
  order: readonly string[];
  fields?: Record<string, GoShape>;
}

const OBJECT_REFERENCE: GoShape = {
  order: ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'],
};
const OBJECT_META: GoShape = {
  order: [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ],
};
const TAG_REFERENCE: GoShape = {
  order: ['name', 'annotations', 'from', 'reference', 'generation', 'importPolicy', 'referencePolicy'],
  fields: {
    from: OBJECT_REFERENCE,
    importPolicy: { order: ['insecure', 'scheduled', 'importMode'] },
    referencePolicy: { order: ['type'] },
  },
};
const NAMED_TAG_EVENT_LIST: GoShape = {
  order: ['tag', 'items', 'conditions'],
  fields: {
    items: { order: ['created', 'dockerImageReference', 'image', 'generation'] },
    conditions: { order: ['type', 'status', 'lastTransitionTime', 'reason', 'message', 'generation'] },
  },
};
/** openshift/api image/v1 ImageStream (types.go), TypeMeta inline: kind before apiVersion. */
const IMAGE_STREAM: GoShape = {
  order: ['kind', 'apiVersion', 'metadata', 'spec', 'status'],
  fields: {
    metadata: OBJECT_META,
    spec: {
      order: ['lookupPolicy', 'dockerImageRepository', 'tags'],
      fields: { lookupPolicy: { order: ['local'] }, tags: TAG_REFERENCE },
    },
    status: {
      order: ['dockerImageRepository', 'publicDockerImageRepository', 'tags'],
      fields: { tags: NAMED_TAG_EVENT_LIST },
    },
  },
};

function goOrder(value: unknown, shape: GoShape | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => goOrder(v, shape));
  if (!shape || !value || typeof value !== 'object') return sortKeys(value);
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of shape.order) if (obj[k] !== undefined) out[k] = goOrder(obj[k], shape.fields?.[k]);
  // Fields the API type does not have (the server would have dropped them) follow, sorted.
  for (const [k, v] of Object.entries(sortKeys(obj) as Record<string, unknown>)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * `import-image -o json`: cli-runtime printers/json.go JSONPrinter marshals the typed
 * imagev1.ImageStream Run hands it, so fields come in the struct's order (maps sorted), indented by 4.
 */
export function imageStreamJson(stream: ImageStream): string {
  return `${goEscape(JSON.stringify(goOrder(stream, IMAGE_STREAM), null, 4))}\n`;
}
