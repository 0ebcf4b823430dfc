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
