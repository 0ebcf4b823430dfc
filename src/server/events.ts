/**
 * What a registry webhook tells `serve`: "this repository (and tag) changed, look again".
 * The digest in a payload is never recorded (anyone who can reach the listener can send one); it is
 * read from the registry.
 */

/** The webhook senders `serve` understands, one endpoint each (`/webhooks/<sender>`). */
export const SENDERS = ['distribution', 'dockerhub', 'quay', 'harbor', 'github'] as const;

/** A webhook sender. */
export type Sender = (typeof SENDERS)[number];

/** One push a sender reported. */
export interface PushEvent {
  /** Registry host[:port] the repository lives on, when the payload says (docker.io for Docker Hub). */
  registryHost?: string;
  /** Repository path inside the registry, e.g. `library/nginx` or `org/app`. */
  repository: string;
  /** The pushed tag; absent when the sender did not name one. */
  tag?: string;
  /** Digest the sender reported: informational only, never recorded. */
  digest?: string;
  /** Per-event delivery id used for de-duplication (Distribution `events[].id`). */
  id?: string;
}

/** What a parser made of one delivery body. */
export interface ParsedDelivery {
  /** Push events worth an import. */
  events: PushEvent[];
  /** Events skipped (pulls, blob pushes, untagged children, other event types), for the logs. */
  ignored: number;
}

/** A webhook body that is not the sender's format (answered with 400). */
export class PayloadError extends Error {
  constructor(
    readonly sender: Sender,
    message: string,
  ) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** True when `s` names a sender `serve` has an endpoint for. */
export function isSender(s: string): s is Sender {
  return (SENDERS as readonly string[]).includes(s);
}
