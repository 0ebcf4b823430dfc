/**
 * Field documentation for `isctl explain`: the ImageStream, ImageStreamTag, ImageStreamImage and
 * Image types with the doc comments of openshift/api image/v1/types.go,
 * shortened where they were long, plus what isctl does with a field where that differs from a
 * cluster (marked "isctl:").
 */

/** One documented field. */
export interface FieldDoc {
  name: string;
  /** Go-style type as kubectl explain prints it: string, boolean, integer, Object, []Object, map[string]string. */
  type: string;
  required?: boolean;
  description: string;
  fields?: FieldDoc[];
}

/** One documented resource. */
export interface ResourceDoc {
  kind: string;
  group: string;
  version: string;
  /** Names accepted on the command line (singular, plural, short). */
  names: string[];
  description: string;
  fields: FieldDoc[];
}

const f = (name: string, type: string, description: string, extra: Partial<FieldDoc> = {}): FieldDoc => ({
  name,
  type,
  description,
  ...extra,
});

const standard = (kind: string): FieldDoc[] => [
  f(
    'apiVersion',
    'string',
    'APIVersion defines the versioned schema of this representation of an object. Servers ' +
      'should convert recognized schemas to the latest internal value, and may reject ' +
      'unrecognized values. isctl reads image.openshift.io/v1 and the legacy v1.',
  ),
  f(
    'kind',
    'string',
    `Kind is a string value representing the REST resource this object represents. In CamelCase: ${kind}.`,
  ),
  f(
    'metadata',
    'ObjectMeta',
    "Standard object's metadata: name, namespace, labels, annotations. An object without " +
      'metadata.namespace belongs to the namespace the command runs in (-n), as with kubectl ' +
      'apply -f.',
  ),
];

const objectReference = (what: string): FieldDoc[] => [
  f('kind', 'string', `Kind of the referent: ${what}.`),
  f(
    'name',
    'string',
    'Name of the referent: a pull spec for DockerImage, <stream>:<tag> for ImageStreamTag, <stream>@<digest> for ImageStreamImage.',
  ),
  f(
    'namespace',
    'string',
    'Namespace of the referent; empty means the namespace of the object that holds the reference.',
  ),
];

const lookupPolicy = f(
  'lookupPolicy',
  'ImageLookupPolicy',
  'lookupPolicy controls how other resources reference images within this namespace.',
  {
    fields: [
      f(
        'local',
        'boolean',
        'local will change the docker short image references (like "mysql" or "php:latest") on ' +
          'objects in this namespace to the image ID whenever they match this image stream, instead ' +
          'of reaching out to a remote registry. The name will be fully qualified to an image ID if ' +
          "found. The tag's referencePolicy is taken into account on the replaced value. Only works " +
          'within the current namespace. isctl: applied to the workloads of the state folder when a ' +
          'tag changes.',
        { required: true },
      ),
    ],
  },
);

const conditions = f(
  'conditions',
  '[]TagEventCondition',
  'Conditions is an array of conditions that apply to the tag event list. A failed import leaves the history alone and records ImportSuccess=False here.',
  {
    fields: [
      f('type', 'string', 'Type of tag event condition, currently only ImportSuccess.', { required: true }),
      f('status', 'string', 'Status of the condition, one of True, False, Unknown.', { required: true }),
      f(
        'lastTransitionTime',
        'string',
        'LastTransitionTime is the time the condition transitioned from one status to another.',
      ),
      f(
        'reason',
        'string',
        "Reason is a brief machine readable explanation for the condition's last transition (NotFound, Unauthorized, InternalError…).",
      ),
      f(
        'message',
        'string',
        'Message is a human readable description of the details about last transition, complementing reason.',
      ),
      f('generation', 'integer', 'Generation is the spec tag generation that this status corresponds to.', {
        required: true,
      }),
    ],
  },
);

const tagReference = (name: string, description: string, required = false): FieldDoc =>
  f(name, name === 'tags' ? '[]TagReference' : 'TagReference', description, {
    required,
    fields: [
      f('name', 'string', 'Name of the tag.', { required: true }),
      f(
        'annotations',
        'map[string]string',
        'Optional; if specified, annotations that are applied to images retrieved via ' +
          'ImageStreamTags. importer.image.openshift.io/prefer-arch and prefer-os choose the ' +
          'platform of a Legacy import.',
      ),
      f(
        'from',
        'ObjectReference',
        'Optional; if specified, a reference to another image that this tag should point to. Valid ' +
          'values are ImageStreamTag, ImageStreamImage, and DockerImage. ImageStreamTag references ' +
          'can only reference a tag within this same ImageStream. isctl also accepts oci:PATH[:TAG], ' +
          'an OCI image layout on disk.',
        {
          fields: objectReference('DockerImage, ImageStreamTag or ImageStreamImage'),
        },
      ),
      f(
        'reference',
        'boolean',
        'Reference states if the tag will be imported. Default value is false, which means the tag will be imported.',
      ),
      f(
        'generation',
        'integer',
        'When a tag reference is changed the generation is set to match the current stream ' +
          'generation (which is incremented every time spec is changed). Other processes in the ' +
          'system like the image importer observe that the generation of spec tag is newer than the ' +
          'generation recorded in the status and use that as a trigger to import the newest remote ' +
          'tag. To trigger a new import, clients may set this value to zero which will reset the ' +
          'generation to the latest stream generation. Legacy clients will send this value as nil ' +
          'which will be merged with the current tag generation.',
      ),
      f(
        'importPolicy',
        'TagImportPolicy',
        'ImportPolicy is information that controls how images may be imported by the server.',
        {
          fields: [
            f(
              'insecure',
              'boolean',
              'Insecure is true if the server may bypass certificate verification or connect directly over HTTP during image import.',
            ),
            f(
              'scheduled',
              'boolean',
              'Scheduled indicates to the server that this tag should be periodically checked to ensure ' +
                'it is up to date, and imported. isctl: `isctl refresh --scheduled-only` and `isctl serve` ' +
                're-import these tags (every 15 minutes by default, as OpenShift).',
            ),
            f(
              'importMode',
              'string',
              'ImportMode describes how to import an image manifest. Legacy (the default) discards a ' +
                'manifest list and imports a single sub-manifest, chosen by the tag annotations, then ' +
                'linux/amd64, then the first manifest of the list. PreserveOriginal imports the manifest ' +
                'list and all its sub-manifests.',
            ),
          ],
        },
      ),
      f(
        'referencePolicy',
        'TagReferencePolicy',
        'ReferencePolicy defines how other components should consume the image.',
        {
          fields: [
            f(
              'type',
              'string',
              'Type determines how the image pull spec should be transformed when the image stream tag ' +
                'is used in deployment config triggers or new builds. The default value is Source, ' +
                'indicating the original location of the image should be used (if imported). The user may ' +
                'also specify Local, indicating that the pull spec should point to the integrated ' +
                "container image registry (isctl: --internal-registry) and leverage the registry's ability " +
                'to proxy the pull to an upstream registry.',
              { required: true },
            ),
          ],
        },
      ),
    ],
  });

const image: FieldDoc = f(
  'image',
  'Image',
  'The Image: the manifest digest as its name, the pull spec, layers, platform and the image configuration.',
  {
    required: true,
    fields: [
      f('dockerImageReference', 'string', 'DockerImageReference is the string that can be used to pull this image.'),
      f(
        'dockerImageMetadata',
        'RawExtension',
        'DockerImageMetadata contains metadata about this image: architecture, os, created, the config (Env, Cmd, Labels…).',
      ),
      f(
        'dockerImageMetadataVersion',
        'string',
        'This attribute conveys the version of the object, which if empty defaults to "1.0".',
      ),
      f(
        'dockerImageManifestMediaType',
        'string',
        'DockerImageManifestMediaType specifies the mediaType of manifest. This is a part of manifest schema v2.',
      ),
      f(
        'dockerImageLayers',
        '[]ImageLayer',
        'DockerImageLayers represents the layers in the image. May not be set if the image does ' +
          'not define that data or if the image represents a manifest list.',
        {
          fields: [
            f('name', 'string', 'Name of the layer as defined by the underlying store (its digest).', {
              required: true,
            }),
            f('size', 'integer', 'Size of the layer in bytes as defined by the underlying store.', { required: true }),
            f('mediaType', 'string', 'MediaType of the referenced object.', { required: true }),
          ],
        },
      ),
      f(
        'dockerImageManifests',
        '[]ImageManifest',
        'DockerImageManifests holds information about sub-manifests when the image represents a ' +
          'manifest list. When this field is present, no DockerImageLayers should be specified.',
        {
          fields: [
            f('digest', 'string', 'Digest is the unique identifier for the manifest. It refers to an Image object.', {
              required: true,
            }),
            f('mediaType', 'string', 'MediaType defines the type of the manifest.', { required: true }),
            f('manifestSize', 'integer', 'ManifestSize represents the size of the raw object contents, in bytes.', {
              required: true,
            }),
            f(
              'architecture',
              'string',
              'Architecture specifies the supported CPU architecture, for example amd64 or ppc64le.',
              { required: true },
            ),
            f('os', 'string', 'OS specifies the operating system, for example linux.', { required: true }),
            f(
              'variant',
              'string',
              'Variant is an optional field representing a variant of the CPU, for example v6 to specify a particular CPU variant of the ARM CPU.',
            ),
          ],
        },
      ),
    ],
  },
);

/** Every resource `isctl explain` knows. */
export const RESOURCES: ResourceDoc[] = [
  {
    kind: 'ImageStream',
    group: 'image.openshift.io',
    version: 'v1',
    names: ['imagestream', 'imagestreams', 'is'],
    description:
      'An ImageStream stores a mapping of tags to images, metadata overrides that are applied ' +
      'when images are tagged in a stream, and an optional reference to a container image ' +
      'repository on a registry. Users typically update the spec.tags field to point to external ' +
      'images which are imported from container registries, or to existing image stream tags and ' +
      'images. The history of images applied to a tag is visible in the status.tags field. Users ' +
      'may remove a tag by deleting the imagestreamtag resource, which causes both spec and ' +
      'status for that tag to be removed. ' +
      'isctl: the stream is a YAML or JSON document in the state folder (--dir); import-image, ' +
      'tag and refresh write its spec and status the way the API server does.',
    fields: [
      ...standard('ImageStream'),
      f('spec', 'ImageStreamSpec', 'Spec describes the desired state of this stream.', {
        required: true,
        fields: [
          lookupPolicy,
          f(
            'dockerImageRepository',
            'string',
            'dockerImageRepository is optional, if specified this stream is backed by a container ' +
              'repository on this server. Deprecated since v3.7: specify the source for the tags to be ' +
              'imported in each tag via the spec.tags.from reference instead.',
          ),
          tagReference('tags', 'tags map arbitrary string values to specific image locators.'),
        ],
      }),
      f('status', 'ImageStreamStatus', 'Status describes the current state of this stream.', {
        fields: [
          f(
            'dockerImageRepository',
            'string',
            'DockerImageRepository represents the effective location this stream may be accessed at. ' +
              'May be empty until the server determines where the repository is located.',
            { required: true },
          ),
          f(
            'publicDockerImageRepository',
            'string',
            'PublicDockerImageRepository represents the public location from where the image can be ' +
              'pulled outside the cluster. This field may be empty if the administrator has not exposed ' +
              'the integrated registry externally.',
          ),
          f(
            'tags',
            '[]NamedTagEventList',
            'Tags are a historical record of images associated with each tag. The first entry in the TagEvent array is the currently tagged image.',
            {
              fields: [
                f('tag', 'string', 'Tag is the tag for which the history is recorded.', { required: true }),
                f(
                  'items',
                  '[]TagEvent',
                  'The history of images this tag pointed to, newest first: items[0] is the current image. A ' +
                    'new entry is prepended when an import finds a different image.',
                  {
                    required: true,
                    fields: [
                      f('created', 'string', 'Created holds the time the TagEvent was created.', { required: true }),
                      f(
                        'dockerImageReference',
                        'string',
                        'DockerImageReference is the string that can be used to pull this image (the source with the tag replaced by the digest).',
                        { required: true },
                      ),
                      f('image', 'string', 'Image is the image: the manifest digest.', { required: true }),
                      f(
                        'generation',
                        'integer',
                        'Generation is the spec tag generation that resulted in this tag being updated.',
                        { required: true },
                      ),
                    ],
                  },
                ),
                conditions,
              ],
            },
          ),
        ],
      }),
    ],
  },
  {
    kind: 'ImageStreamTag',
    group: 'image.openshift.io',
    version: 'v1',
    names: ['imagestreamtag', 'imagestreamtags', 'istag'],
    description:
      'ImageStreamTag represents an Image that is retrieved by tag name from an ImageStream. Use ' +
      'this resource to interact with the tags and images in an image stream by tag, or to see ' +
      'the image details for a particular tag. The image associated with this resource is the ' +
      'most recently successfully tagged, imported, or pushed image (as described in the image ' +
      'stream status.tags.items list for this tag). If an import is in progress or has failed ' +
      'the previous image will be shown. Deleting an image stream tag clears both the status and ' +
      'spec fields of an image stream. If no image can be retrieved for a given tag, a not found ' +
      'error will be returned. Its name is <stream>:<tag>.',
    fields: [
      ...standard('ImageStreamTag'),
      tagReference(
        'tag',
        'tag is the spec tag associated with this image stream tag, and it may be null if only pushes have occurred to this image stream.',
        true,
      ),
      f(
        'generation',
        'integer',
        'generation is the current generation of the tagged image - if tag is provided and this ' +
          'value is not equal to the tag generation, a user has requested an import that has not ' +
          'completed, or conditions will be filled out indicating any error.',
        { required: true },
      ),
      {
        ...lookupPolicy,
        required: true,
        description: 'lookupPolicy indicates whether this tag will handle image references in this namespace.',
      },
      { ...conditions, description: 'conditions is an array of conditions that apply to the image stream tag.' },
      image,
    ],
  },
  {
    kind: 'ImageStreamImage',
    group: 'image.openshift.io',
    version: 'v1',
    names: ['imagestreamimage', 'imagestreamimages', 'isimage'],
    description:
      'ImageStreamImage represents an Image that is retrieved by image name from an ImageStream. ' +
      'Use it to see the metadata of a tagged image in the image stream history. A not found ' +
      'error will be returned if no such image is referenced by a tag within the ImageStream. ' +
      'Its name is <stream>@<digest>, where the digest is the content addressable identifier for ' +
      'the image (sha256:xxxxx...); a unique prefix of the digest is enough. You can use ' +
      'ImageStreamImages as the from.kind of an image stream spec tag to reference an image ' +
      'exactly.',
    fields: [
      ...standard('ImageStreamImage'),
      { ...image, description: 'image associated with the ImageStream and image name.' },
    ],
  },
  {
    kind: 'Image',
    group: 'image.openshift.io',
    version: 'v1',
    names: ['images', 'image'],
    description:
      'Image is an immutable representation of a container image and metadata at a point in ' +
      'time. Images are named by taking a hash of their contents (metadata and content) and any ' +
      'change in format, content, or metadata results in a new name. isctl keeps the raw ' +
      'manifests and configs content-addressed in .isctl/blobs/ of the state folder and builds ' +
      'the Image from them, so describe works offline.',
    fields: [...standard('Image'), ...(image.fields ?? [])],
  },
];
