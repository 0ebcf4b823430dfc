/**
 * Pushing test images to a harness registry by plain HTTP (distribution spec "Pushing blobs":
 * POST an upload session, PUT `<Location>&digest=…` with the whole blob; PUT the manifest by tag),
 * the shortest sequence Distribution 2.8 accepts.
 */
import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { buildImage, buildIndex, MULTI_ARCH, type Blob, type BuiltImage, type ImageOptions } from './images.js';
import type { TestRegistry } from './registry.js';
import { signatureManifest, signatureTag, type SignatureLayer } from '../sigstore.js';

/** Options of pushImage. */
export interface PushOptions extends ImageOptions {
  /** Push an OCI index (or Docker manifest list with schema 'docker') over several platforms. */
  multiArch?: boolean;
  platforms?: { arch: string; os?: string; variant?: string }[];
}

/** What was pushed. */
export interface PushedImage {
  /** Digest of the manifest the tag points at (the index for multi-arch). */
  digest: string;
  mediaType: string;
  /** Single-arch: the image; multi-arch: every child in index order. */
  images: BuiltImage[];
  /** Multi-arch: the index/list bytes. */
  index?: Blob;
}

const agents = new WeakMap<TestRegistry, Agent>();
function dispatcher(reg: TestRegistry): Dispatcher {
  let a = agents.get(reg);
  if (!a) {
    a = new Agent({ connect: reg.caFile ? { ca: readFileSync(reg.caFile, 'utf8') } : {} });
    agents.set(reg, a);
  }
  return a;
}

const tokenAgents = new Map<string, Agent>();
function tokenDispatcher(ca: string): Dispatcher {
  let a = tokenAgents.get(ca);
  if (!a) {
    a = new Agent({ connect: { ca } });
    tokenAgents.set(ca, a);
  }
  return a;
}

/** The Authorization header the harness uses to push to `repo` (Basic, or a push token). */
export async function pushAuthorization(reg: TestRegistry, repo: string): Promise<string | undefined> {
  if (!reg.username) return undefined;
  const basic = `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString('base64')}`;
  if (reg.mode !== 'token') return basic;
  const ts = reg.tokenServer!;
  const url = `${ts.url}?service=${encodeURIComponent(ts.service)}&scope=${encodeURIComponent(`repository:${repo}:pull,push`)}`;
  const res = await request(url, { headers: { authorization: basic }, dispatcher: tokenDispatcher(ts.caPem) });
  const body = (await res.body.json()) as { token: string };
  ts.requests.pop(); // harness traffic is not what tests assert on
  return `Bearer ${body.token}`;
}

async function call(
  reg: TestRegistry,
  method: 'POST' | 'PUT' | 'HEAD',
  url: string,
  auth: string | undefined,
  body?: Buffer,
  contentType?: string,
) {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (contentType) headers['content-type'] = contentType;
  const res = await request(url, { method, headers, body, dispatcher: dispatcher(reg) });
  const text = method === 'HEAD' ? '' : await res.body.text();
  if (method === 'HEAD') await res.body.dump();
  return { status: res.statusCode, headers: res.headers, text };
}

/** Uploads one blob (skipped when the registry already has it in `repo`). */
export async function pushBlob(reg: TestRegistry, repo: string, blob: Blob, auth?: string): Promise<void> {
  const head = await call(reg, 'HEAD', `${reg.url}/v2/${repo}/blobs/${blob.digest}`, auth);
  if (head.status === 200) return;
  const start = await call(reg, 'POST', `${reg.url}/v2/${repo}/blobs/uploads/`, auth);
  if (start.status !== 202) throw new Error(`blob upload POST to ${repo} answered ${start.status}: ${start.text}`);
  const loc = new URL(String(start.headers.location), reg.url);
  loc.searchParams.set('digest', blob.digest);
  const put = await call(reg, 'PUT', loc.toString(), auth, blob.bytes, 'application/octet-stream');
  if (put.status !== 201) throw new Error(`blob PUT ${blob.digest} answered ${put.status}: ${put.text}`);
}

/** PUTs manifest bytes under a tag or digest; returns the registry's digest. */
export async function pushManifest(
  reg: TestRegistry,
  repo: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  auth?: string,
): Promise<string> {
  const a = auth ?? (await pushAuthorization(reg, repo));
  const res = await call(reg, 'PUT', `${reg.url}/v2/${repo}/manifests/${reference}`, a, bytes, mediaType);
  if (res.status !== 201) throw new Error(`manifest PUT ${repo}:${reference} answered ${res.status}: ${res.text}`);
  return String(res.headers['docker-content-digest']);
}

async function pushSingle(
  reg: TestRegistry,
  repo: string,
  img: BuiltImage,
  reference: string,
  auth?: string,
): Promise<string> {
  for (const b of [...img.layers, img.config]) await pushBlob(reg, repo, b, auth);
  return pushManifest(reg, repo, reference, img.manifest.bytes, img.manifest.mediaType, auth);
}

/** Builds and pushes a tiny image (or multi-arch index) as `repo:tag`. */
export async function pushImage(
  reg: TestRegistry,
  repo: string,
  tag: string,
  o: PushOptions = {},
): Promise<PushedImage> {
  const auth = await pushAuthorization(reg, repo);
  if (!o.multiArch) {
    const img = buildImage(o);
    const digest = await pushSingle(reg, repo, img, tag, auth);
    return { digest, mediaType: img.manifest.mediaType, images: [img] };
  }
  const built = buildIndex(o.platforms ?? MULTI_ARCH, o);
  for (const child of built.children) await pushSingle(reg, repo, child, child.manifest.digest, auth);
  const digest = await pushManifest(reg, repo, tag, built.index.bytes, built.index.mediaType, auth);
  return { digest, mediaType: built.index.mediaType, images: built.children, index: built.index };
}

/**
 * Pushes a cosign `.sig` attachment for `digest` in `repo` (test/helpers/sigstore.ts builds it):
 * the tag cosign writes and containers/image reads with use-sigstore-attachments.
 */
export async function pushSignatures(
  reg: TestRegistry,
  repo: string,
  digest: string,
  layers: SignatureLayer[],
): Promise<string> {
  const { manifest, blobs } = signatureManifest(layers);
  const auth = await pushAuthorization(reg, repo);
  for (const b of blobs) await pushBlob(reg, repo, b, auth);
  return pushManifest(reg, repo, signatureTag(digest), manifest, 'application/vnd.oci.image.manifest.v1+json', auth);
}
