/**
 * `oci:PATH[:TAG|@DIGEST]`: an OCI image layout on disk (image-spec image-layout.md: `oci-layout`,
 * `index.json`, `blobs/<alg>/<hex>`), read through the same ContentSource interface as a registry.
 * Tags are the `org.opencontainers.image.ref.name` annotations of index.json, as skopeo writes them.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { IntegrityError, RegistryError } from '../domain/errors.js';
import { jsonSyntaxErrorAt } from '../domain/json-syntax.js';
import { pullSpecWithDigest, type OciLayoutSpec } from '../domain/pullspec.js';
import type { Descriptor } from '../domain/image.js';
import { CONFIG_CAP, MANIFEST_CAP } from './client.js';
import type { ContentSource } from './resolve-image.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const INDEX_CAP = 16 << 20;

/** Resolves the layout folder: relative paths are taken against `baseDir` (the state folder). */
export function ociLayoutDir(spec: OciLayoutSpec, baseDir: string): string {
  return isAbsolute(spec.path) ? spec.path : resolve(baseDir, spec.path);
}

/** A ContentSource over an OCI image layout folder. */
export class OciLayoutSource implements ContentSource {
  private index?: Promise<Descriptor[]>;
  private realDir?: Promise<string>;
  constructor(
    private readonly spec: OciLayoutSpec,
    private readonly dir: string,
  ) {}

  describe(reference: string): string {
    return reference.includes(':') && reference.startsWith('sha')
      ? `oci:${this.spec.path}@${reference}`
      : `oci:${this.spec.path}:${reference}`;
  }

  async lookupTag(tag: string): Promise<{ digest: string; mediaType?: string }> {
    const entries = await this.entries();
    if (!this.spec.tag && tag === 'latest' && !entries.some((d) => d.annotations?.[REF_NAME] === 'latest')) {
      // `oci:PATH` without a tag names the only image of the layout (skopeo does the same).
      if (entries.length === 1) return { digest: entries[0].digest, mediaType: entries[0].mediaType };
      throw new RegistryError(
        `the OCI layout ${this.spec.path} holds ${entries.length} images; name one as ` +
          `oci:${this.spec.path}:TAG (tags: ${this.tags(entries).join(', ') || 'none'})`,
        { reason: 'NotFound' },
      );
    }
    const d = entries.find((e) => e.annotations?.[REF_NAME] === tag);
    if (!d) {
      throw new RegistryError(
        `manifest unknown: tag "${tag}" is not in the OCI layout ${this.spec.path} (tags: ${this.tags(entries).join(', ') || 'none'})`,
        { reason: 'NotFound', ociCodes: ['MANIFEST_UNKNOWN'] },
      );
    }
    return { digest: d.digest, mediaType: d.mediaType };
  }

  async fetchManifest(digest: string): Promise<{ bytes: Buffer; mediaType?: string }> {
    const d = (await this.entries()).find((e) => e.digest === digest);
    return { bytes: await this.blob(digest, MANIFEST_CAP), mediaType: d?.mediaType };
  }

  fetchBlob(digest: string): Promise<Buffer> {
    return this.blob(digest, CONFIG_CAP);
  }

  referenceFor(digest: string): string {
    return pullSpecWithDigest(this.spec, digest);
  }

  /** Every `org.opencontainers.image.ref.name` in index.json, sorted. */
  async listTags(): Promise<string[]> {
    return this.tags(await this.entries());
  }

  private tags(entries: Descriptor[]): string[] {
    return [...new Set(entries.map((e) => e.annotations?.[REF_NAME]).filter((t): t is string => !!t))].sort();
  }

  private entries(): Promise<Descriptor[]> {
    this.index ??= this.readIndex();
    return this.index;
  }

  private async readIndex(): Promise<Descriptor[]> {
    const layoutFile = join(this.dir, 'oci-layout');
    let layout: { imageLayoutVersion?: string };
    let text: string;
    try {
      text = (await this.readCapped(layoutFile, INDEX_CAP, undefined, true)).toString('utf8');
    } catch (e) {
      if (!(e instanceof RegistryError) || (e as RegistryError).reason !== 'NotFound') throw e;
      throw new RegistryError(
        `${this.dir} is not an OCI image layout (no oci-layout file); check the path in ${this.spec.raw}`,
        {
          reason: 'NotFound',
        },
      );
    }
    try {
      layout = JSON.parse(text) as typeof layout;
    } catch {
      // Parser messages quote the text around the error: only the position is told.
      throw new IntegrityError(`${layoutFile} is not valid JSON${position(text)}; it is not an OCI image layout`);
    }
    if (!layout || typeof layout !== 'object' || !layout.imageLayoutVersion)
      throw new IntegrityError(`${layoutFile} has no imageLayoutVersion; it is not an OCI image layout`);
    const raw = await this.readCapped(join(this.dir, 'index.json'), INDEX_CAP);
    let doc: { manifests?: unknown };
    const indexText = raw.toString('utf8');
    try {
      doc = JSON.parse(indexText) as typeof doc;
    } catch {
      throw new IntegrityError(`${join(this.dir, 'index.json')} is not valid JSON${position(indexText)}`);
    }
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.manifests))
      throw new IntegrityError(`${join(this.dir, 'index.json')} has no manifests list`);
    return doc.manifests as Descriptor[];
  }

  /**
   * The real path of `file`, refused when a symbolic link takes it out of the layout folder (a
   * layout must not make isctl read, and report on, files elsewhere on the machine).
   */
  private async insideLayout(file: string): Promise<string> {
    this.realDir ??= realpath(this.dir);
    const [dir, real] = await Promise.all([this.realDir, realpath(file)]);
    if (real !== dir && !real.startsWith(dir.endsWith(sep) ? dir : dir + sep))
      throw new IntegrityError(
        `${file} is a symbolic link that leads out of the OCI layout ${this.spec.path}; isctl does not follow links out of a layout`,
      );
    return real;
  }

  private async blob(digest: string, cap: number): Promise<Buffer> {
    const i = digest.indexOf(':');
    const alg = digest.slice(0, i);
    const hex = digest.slice(i + 1);
    if (!/^[a-z0-9]+$/.test(alg) || !/^[a-f0-9]+$/.test(hex))
      throw new IntegrityError(`invalid digest "${digest}" in ${this.spec.raw}`);
    return this.readCapped(join(this.dir, 'blobs', alg, hex), cap, digest);
  }

  private async readCapped(path: string, cap: number, digest?: string, missingOk = false): Promise<Buffer> {
    let size: number;
    let real: string;
    try {
      await stat(path);
    } catch {
      const what = digest ? `blob ${digest} is missing from the OCI layout ${this.spec.path}` : `${path} is missing`;
      throw new RegistryError(missingOk ? what : `manifest unknown: ${what}`, {
        reason: 'NotFound',
        ociCodes: digest ? ['BLOB_UNKNOWN'] : [],
      });
    }
    try {
      real = await this.insideLayout(path);
      size = (await stat(real)).size;
    } catch (e) {
      if (e instanceof IntegrityError) throw e;
      throw new RegistryError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`, {
        reason: 'NotFound',
      });
    }
    if (size > cap) throw new IntegrityError(`${path} is larger than ${cap >> 20} MiB; refusing to read it`);
    const fh = await open(real, 'r');
    try {
      const buf = Buffer.alloc(size);
      await fh.read(buf, 0, size, 0);
      return buf;
    } finally {
      await fh.close();
    }
  }
}

function position(text: string): string {
  const at = jsonSyntaxErrorAt(text);
  return at ? ` (line ${at.line}, column ${at.column})` : '';
}
