/** The text of `describe`: one oc describe block per object found. */
import type { DescribeOutput } from '../core/describe.js';
import { describeImage } from './describe-image.js';
import { describeImageStream } from './describe-imagestream.js';

/** Each object's description, as oc describe lays it out. */
export function describeTexts(out: DescribeOutput, now: Date): string[] {
  switch (out.resource) {
    case 'imagestreams':
      return out.items.map((s) => describeImageStream(s, now, out.provenance));
    case 'imagestreamtags':
      // describe istag passes the image name (the digest), not STREAM:TAG (describer.go).
      return out.items.map((t) =>
        describeImage(t.image, t.image.metadata.name, now, out.provenance.get(t.image.metadata.name)),
      );
    case 'imagestreamimages':
      return out.items.map((i) =>
        describeImage(i.image, i.image.metadata.name, now, out.provenance.get(i.image.metadata.name)),
      );
  }
}

/** kubectl describe: exact objects separated by a blank line; prefix matches each followed by one. */
export function joinDescriptions(texts: string[], prefixMatched: boolean): string {
  return prefixMatched ? texts.map((t) => `${t}\n`).join('') : texts.join('\n\n');
}
