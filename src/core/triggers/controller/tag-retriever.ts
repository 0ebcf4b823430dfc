/**
 * The trigger controller's tag retriever over a Snapshot (openshift-controller-manager
 * pkg/image/controller/trigger/image_trigger_controller.go tagRetriever.ImageStreamTag, which
 * resolves through library-go imageutil.ResolveLatestTaggedImage).
 */
import type { Snapshot } from '../../../state/types.js';
import type { ClusterSettings } from '../../context.js';
import type { ImageStream, TagEvent } from '../../../domain/types.js';
import {
  latestTaggedImage,
  resolveReferenceForTagEvent,
  splitImageStreamTag,
  statusDockerImageRepository,
} from '../../../domain/imagestream.js';

/** A resolved ImageStreamTag: the pull spec consumers get, and the event it came from. */
export interface ResolvedTag {
  ref: string;
  event: TagEvent;
  stream: ImageStream;
}

/** Resolves `stream:tag` in a namespace to a pull spec, or undefined when it has no image yet. */
export type TagRetriever = (namespace: string, name: string) => ResolvedTag | undefined;

/**
 * The stream as the controller sees it through the API server: `status.dockerImageRepository`
 * filled in (strategy.go Decorate) when the file leaves it empty, so Local policies work.
 */
export function decoratedStream(stream: ImageStream, namespace: string, settings: ClusterSettings): ImageStream {
  if (stream.status?.dockerImageRepository) return stream;
  const repo = statusDockerImageRepository(
    namespace,
    stream.metadata.name,
    settings.internalRegistry,
    stream.spec ?? {},
  );
  return { ...stream, status: { ...(stream.status ?? {}), dockerImageRepository: repo } };
}

/** Builds the tag retriever: `name` must be `stream:tag` (SplitImageStreamTag ok), items[0] via the reference policy. */
export function createTagRetriever(snapshot: Snapshot, settings: ClusterSettings): TagRetriever {
  return (namespace, name) => {
    const split = splitImageStreamTag(name);
    if (!split.ok) return undefined;
    const stored = snapshot.find<ImageStream>('ImageStream', namespace, split.name);
    if (!stored) return undefined;
    const stream = decoratedStream(stored.object, namespace, settings);
    const event = latestTaggedImage(stream, split.tag);
    if (!event) return undefined;
    const ref = resolveReferenceForTagEvent(stream, split.tag, event);
    if (!ref) return undefined;
    return { ref, event, stream };
  };
}

/** `namespace/stream` of an ImageStreamTag name, the key the trigger cache indexes by. */
export function streamKey(namespace: string, istagName: string): string | undefined {
  const split = splitImageStreamTag(istagName);
  return split.ok ? `${namespace}/${split.name}` : undefined;
}
