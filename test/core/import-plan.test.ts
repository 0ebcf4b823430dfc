/**
 * Table-driven cases from openshift/oc pkg/cli/importimage/importimage_test.go
 * TestCreateImageImport (openshift/oc pkg/cli/importimage/importimage_test.go): for each (target,
 * --from, --all, --confirm, flags, existing stream) the images or repository oc would ask to
 * import, or the error substring it fails with.
 */
import { describe, expect, it } from 'vitest';
import { planImport, type ImportImageOptions } from '../../src/core/import-plan.js';
import type { ImageStream, TagReference } from '../../src/domain/types.js';

function is(spec: { repo?: string; tags?: TagReference[] } = {}, annotations?: Record<string, string>): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'testis', namespace: 'other', ...(annotations ? { annotations } : {}) },
    spec: { ...(spec.repo ? { dockerImageRepository: spec.repo } : {}), tags: spec.tags ?? [] },
  };
}
const docker = (name: string, from: string): TagReference => ({ name, from: { kind: 'DockerImage', name: from } });
const istag = (name: string, from: string): TagReference => ({ name, from: { kind: 'ImageStreamTag', name: from } });
const R = 'repo.com/somens/someimage';

interface Case {
  o: Partial<ImportImageOptions> & { target: string };
  stream?: ImageStream;
  err?: string;
  images?: { from: string; to: string; insecure?: boolean; scheduled?: boolean; ref?: string; mode?: string }[];
  repository?: string;
}

const cases: Record<string, Case> = {
  'import from non-existing': { o: { target: 'nonexisting' }, err: 'pass --confirm to create and import' },
  'confirmed import from non-existing': {
    o: { target: 'nonexisting', confirm: true },
    images: [{ from: 'nonexisting', to: 'latest' }],
  },
  'confirmed import all from non-existing': {
    o: { target: 'nonexisting', all: true, confirm: true },
    repository: 'nonexisting',
  },
  'registry and namespace dropped from the stream name, whole spec used as source': {
    o: { target: 'quay.io/org/app:1.0', confirm: true },
    images: [{ from: 'quay.io/org/app:1.0', to: '1.0' }],
  },
  'import from .spec.dockerImageRepository': {
    o: { target: 'testis' },
    stream: is({ repo: R }),
    images: [{ from: R, to: 'latest' }],
  },
  'import from .spec.dockerImageRepository non-existing tag': {
    o: { target: 'testis:nonexisting' },
    stream: is({ repo: R }),
    err: '"nonexisting" does not exist on the image stream',
  },
  'import all from .spec.dockerImageRepository': {
    o: { target: 'testis', all: true },
    stream: is({ repo: R }),
    repository: R,
  },
  'import all with different from': {
    o: { target: 'testis', all: true, from: 'totally_different_spec' },
    stream: is({ repo: R }),
    err: 'different import spec',
  },
  'import all with confirmed different from': {
    o: { target: 'testis', all: true, from: 'totally/different/spec', confirm: true },
    stream: is({ repo: R }),
    repository: 'totally/different/spec',
  },
  'import all from .spec.tags': {
    o: { target: 'testis', all: true },
    stream: is({ tags: [docker('latest', `${R}:latest`), docker('other', `${R}:other`)] }),
    images: [
      { from: `${R}:latest`, to: 'latest' },
      { from: `${R}:other`, to: 'other' },
    ],
  },
  'import all from .spec.tags with insecure annotation': {
    o: { target: 'testis', all: true },
    stream: is({ tags: [docker('latest', `${R}:latest`)] }, { 'openshift.io/image.insecureRepository': 'true' }),
    images: [{ from: `${R}:latest`, to: 'latest', insecure: true }],
  },
  'import all from .spec.tags with insecure flag': {
    o: { target: 'testis', all: true, insecure: true },
    stream: is({ tags: [docker('latest', `${R}:latest`)] }),
    images: [{ from: `${R}:latest`, to: 'latest', insecure: true }],
  },
  'import all from .spec.tags no DockerImage tags': {
    o: { target: 'testis', all: true },
    stream: is({ tags: [istag('latest', 'otheris:latest')] }),
    err: 'does not have tags pointing to external container images',
  },
  'empty image stream': {
    o: { target: 'testis' },
    stream: is(),
    err: `the tag "latest" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
  },
  'import latest tag': {
    o: { target: 'testis:latest' },
    stream: is({ tags: [docker('latest', `${R}:latest`)] }),
    images: [{ from: `${R}:latest`, to: 'latest' }],
  },
  'import existing tag': {
    o: { target: 'testis:existing' },
    stream: is({ tags: [docker('existing', `${R}:latest`)] }),
    images: [{ from: `${R}:latest`, to: 'existing' }],
  },
  'import non-existing tag': {
    o: { target: 'testis:latest' },
    stream: is({ tags: [docker('nonlatest', `${R}:latest`)] }),
    err: 'does not exist on the image stream',
  },
  'use tag aliases': {
    o: { target: 'testis:other1' },
    stream: is({ tags: [docker('mytag', `${R}:mytag`), istag('other1', 'testis:mytag'), istag('other2', 'mytag')] }),
    images: [{ from: `${R}:mytag`, to: 'mytag' }],
  },
  'use tag aliases without stream name': {
    o: { target: 'testis:other2' },
    stream: is({ tags: [docker('mytag', `${R}:mytag`), istag('other2', 'mytag')] }),
    images: [{ from: `${R}:mytag`, to: 'mytag' }],
  },
  'import tag from alias of cross-image-stream': {
    o: { target: 'testis:mytag' },
    stream: is({ tags: [istag('mytag', 'otherimage:mytag')] }),
    err: 'tag "mytag" points to an imagestreamtag from another ImageStream',
  },
  'import tag from alias of circular reference': {
    o: { target: 'testis:mytag' },
    stream: is({ tags: [istag('mytag', 'mytag')] }),
    err: 'tag "mytag" on the image stream is a reference to same tag',
  },
  'import tag from non existing alias': {
    o: { target: 'testis:mytag' },
    stream: is({ tags: [istag('mytag', 'nonexisting')] }),
    err: `the tag "mytag" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
  },
  'use insecure annotation': {
    o: { target: 'testis' },
    stream: is({ repo: R }, { 'openshift.io/image.insecureRepository': 'true' }),
    images: [{ from: R, to: 'latest', insecure: true }],
  },
  'insecure flag overrides insecure annotation': {
    o: { target: 'testis', insecure: false },
    stream: is({ repo: R }, { 'openshift.io/image.insecureRepository': 'true' }),
    images: [{ from: R, to: 'latest', insecure: false }],
  },
  'import tag setting referencePolicy': {
    o: { target: 'testis:mytag', referencePolicy: 'local' },
    stream: is({ tags: [docker('mytag', `${R}:mytag`)] }),
    images: [{ from: `${R}:mytag`, to: 'mytag', ref: 'Local' }],
  },
  'scheduled flag': {
    o: { target: 'testis:mytag', scheduled: true },
    stream: is({ tags: [docker('mytag', `${R}:mytag`)] }),
    images: [{ from: `${R}:mytag`, to: 'mytag', scheduled: true }],
  },
  'already scheduled tag stays scheduled': {
    o: { target: 'testis:mytag' },
    stream: is({ tags: [{ ...docker('mytag', `${R}:mytag`), importPolicy: { scheduled: true } }] }),
    images: [{ from: `${R}:mytag`, to: 'mytag', scheduled: true }],
  },
  'PreserveOriginal import mode': {
    o: { target: 'testis:mytag', importMode: 'PreserveOriginal' },
    stream: is({ tags: [docker('mytag', `${R}:mytag`)] }),
    images: [{ from: `${R}:mytag`, to: 'mytag', mode: 'PreserveOriginal' }],
  },
  'existing importMode is not preserved': {
    o: { target: 'testis:mytag' },
    stream: is({ tags: [{ ...docker('mytag', `${R}:mytag`), importPolicy: { importMode: 'PreserveOriginal' } }] }),
    images: [{ from: `${R}:mytag`, to: 'mytag', mode: 'Legacy' }],
  },
  'invalid import mode': {
    o: { target: 'testis:mytag', importMode: 'Bogus' },
    stream: is(),
    err: 'valid ImportMode values are Legacy or PreserveOriginal',
  },
  'invalid reference policy': {
    o: { target: 'testis', referencePolicy: 'sdfsdfds', confirm: true },
    err: 'valid reference policy values are source or local',
  },
  'different --from on an existing tag needs tag, even with --confirm': {
    o: { target: 'testis:mytag', from: 'docker.io/mysql', confirm: true },
    stream: is({ tags: [docker('mytag', `${R}:mytag`)] }),
    err: `the tag "mytag" points to "${R}:mytag" - use the 'tag' command if you want to change the source to "docker.io/mysql"`,
  },
  'a new tag on an existing stream with --from needs no --confirm': {
    o: { target: 'testis:new', from: 'quay.io/a/b:2' },
    stream: is({ tags: [docker('mytag', `${R}:mytag`)] }),
    images: [{ from: 'quay.io/a/b:2', to: 'new' }],
  },
  'tag pointing to an image stream image cannot be re-imported': {
    o: { target: 'testis:pinned' },
    stream: is({ tags: [{ name: 'pinned', from: { kind: 'ImageStreamImage', name: 'other@sha256:abc' } }] }),
    err: 'tag "pinned" points to existing ImageStreamImage "other@sha256:abc", it cannot be re-imported',
  },
  'a tag and --all': {
    o: { target: 'testis:tag', all: true },
    err: 'cannot specify a tag "testis:tag" as well as --all',
  },
  'by digest': {
    o: { target: `testis@sha256:${'a'.repeat(64)}` },
    err: "to import images by ID, use the 'tag' command",
  },
  'not a pull spec': { o: { target: 'Bad Name' }, err: 'the image name must be a valid container image pull spec' },
};

describe('planImport (oc importimage_test.go TestCreateImageImport)', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      if (c.err) {
        expect(() => planImport(c.o, c.stream)).toThrow(c.err);
        return;
      }
      const plan = planImport(c.o, c.stream);
      if (c.repository) {
        expect(plan.repository?.from).toBe(c.repository);
        expect(plan.images).toEqual([]);
        return;
      }
      expect(plan.repository).toBeUndefined();
      expect(
        plan.images.map((i) => ({
          from: i.from,
          to: i.to,
          ...(i.importPolicy.insecure !== undefined && (c.images ?? []).some((x) => x.insecure !== undefined)
            ? { insecure: i.importPolicy.insecure }
            : {}),
          ...(i.importPolicy.scheduled ? { scheduled: true } : {}),
          ...(i.referencePolicy.type !== 'Source' ? { ref: i.referencePolicy.type } : {}),
          ...((c.images ?? []).some((x) => x.mode) ? { mode: i.importPolicy.importMode } : {}),
        })),
      ).toEqual(c.images);
    });
  }
});
