/**
 * oc's DescribeImage (openshift/oc describer.go, used by `describe istag`, `describe isimage`
 * and `import-image`), byte for byte.
 */
import type { DockerConfig, Image } from '../domain/types.js';
import type { ImageProvenance } from '../registry/types.js';
import { escapeLine } from '../domain/escape.js';
import { humanSize, relativeTime } from './humanize.js';
import { compareStrings, isSetTime, tabbedString, type DescribeWriter } from './describe-format.js';

/** The describe text of an Image; `imageName` adds the `Image Name:` line (ends in `\n`). */
export function describeImage(image: Image, imageName: string, now: Date, provenance?: ImageProvenance): string {
  return tabbedString(now, (out) => {
    if (imageName.length > 0) out.formatString('Image Name', imageName);
    out.formatString('Docker Image', image.dockerImageReference ?? '');
    out.formatString('Name', image.metadata.name);
    // isctl's own lines (oc has no mirror or signature verification at import): only when recorded.
    if (provenance?.mirror) out.formatString('Pulled From Mirror', escapeLine(provenance.mirror));
    if (provenance?.signature) {
      const s = provenance.signature;
      out.formatString('Signature Policy', escapeLine(`${s.policy} (${s.scope})`));
      out.formatString(
        'Signed By',
        s.signers.length > 0 ? s.signers.map(escapeLine).join('\n') : '<no signature required>',
      );
    }
    if (isSetTime(image.metadata.creationTimestamp)) out.formatTime('Created', image.metadata.creationTimestamp);
    const labels = image.metadata.labels ?? {};
    if (Object.keys(labels).length > 0) out.formatMapStringString('Labels', labels);
    const annotations = image.metadata.annotations ?? {};
    if (Object.keys(annotations).length > 0) out.formatAnnotations(annotations);
    const meta = image.dockerImageMetadata ?? { Id: '' };
    const layers = image.dockerImageLayers ?? [];
    if (layers.length === 0) {
      out.formatString('Layer Size', humanSize(meta.Size ?? 0));
    } else {
      out.formatString('Image Size', `${humanSize(meta.Size ?? 0)} in ${layers.length} layers`);
      out.formatString('Layers', layers.map((l) => `${humanSize(l.size ?? 0)}\t${l.name}`).join('\n'));
    }
    out.formatString('Image Created', `${relativeTime(now, meta.Created)} ago`);
    out.formatString('Author', meta.Author ?? '');
    out.formatString('Arch', meta.Architecture ?? '');
    const manifests = image.dockerImageManifests ?? [];
    if (manifests.length > 0)
      out.formatString('Manifests', manifests.map((m) => `${m.os}/${m.architecture}\t${m.digest}`).join('\n'));
    describeDockerImage(out, meta.Config ?? {});
  });
}

function describeDockerImage(out: DescribeWriter, config: DockerConfig): void {
  let hasCommand = false;
  if (config.Entrypoint && config.Entrypoint.length > 0) {
    hasCommand = true;
    out.formatString('Entrypoint', config.Entrypoint.join(' '));
  }
  if (config.Cmd && config.Cmd.length > 0) {
    hasCommand = true;
    out.formatString('Command', config.Cmd.join(' '));
  }
  if (!hasCommand) out.formatString('Command', '');
  out.formatString('Working Dir', config.WorkingDir ?? '');
  out.formatString('User', config.User ?? '');
  out.formatString(
    'Exposes Ports',
    Object.keys(config.ExposedPorts ?? {})
      .sort(compareStrings)
      .join(', '),
  );
  out.formatMapStringString('Docker Labels', config.Labels);
  (config.Env ?? []).forEach((env, i) => {
    if (i === 0) out.formatString('Environment', env);
    else out.write(`\t${env}\n`);
  });
  Object.keys(config.Volumes ?? {})
    .sort(compareStrings)
    .forEach((v, i) => {
      if (i === 0) out.formatString('Volumes', v);
      else out.write(`\t${v}\n`);
    });
}
