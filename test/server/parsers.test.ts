import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseDelivery,
  parseDistributionEvents,
  parseDockerHubEvent,
  parseGitHubEvent,
  parseHarborEvent,
  parseQuayEvent,
  splitImageUrl,
} from '../../src/server/parsers.js';
import { PayloadError } from '../../src/server/events.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8'));
const lines = (name: string): unknown[] =>
  readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('parseDistributionEvents (captured Distribution 2.8 envelopes)', () => {
  it('reads a push of an index by tag', () => {
    const { events, ignored } = parseDistributionEvents(fixture('distribution-push-index-tag.json'));
    expect(ignored).toBe(0);
    expect(events).toEqual([
      {
        registryHost: '127.0.0.1:5004',
        repository: 'reglab/app',
        tag: '1.0',
        digest: 'sha256:0e8af5d3de74fa90490d76cf4617f7dbde9972ae027a006c6eadf81bf1d0724a',
        id: '8c8f9b9d-9243-43ac-846b-97843e3ebd80',
      },
    ]);
  });

  it('reads a Docker schema 2 manifest pushed by tag', () => {
    const { events } = parseDistributionEvents(fixture('distribution-push-docker-tag.json'));
    expect(events.map((e) => `${e.repository}:${e.tag}`)).toEqual(['reglab/app:docker']);
  });

  it.each([
    ['distribution-push-blob.json'],
    ['distribution-push-child-manifest.json'],
    ['distribution-mount.json'],
    ['distribution-pull-tag.json'],
    ['distribution-delete-tag.json'],
  ])('ignores %s', (name) => {
    const { events, ignored } = parseDistributionEvents(fixture(name));
    expect(events).toEqual([]);
    expect(ignored).toBe(1);
  });

  it('finds exactly the two tag pushes in a whole captured session', () => {
    const tags = lines('distribution-captured.jsonl').flatMap((b) =>
      parseDistributionEvents(b).events.map((e) => e.tag),
    );
    expect(tags).toEqual(['1.0', 'docker']);
  });

  it.each([
    [null, 'the notification envelope is missing or not an object'],
    [{}, '"events" is missing or not a list'],
    [{ events: [{ action: 'push' }] }, 'event "target" is missing or not an object'],
    [{ events: [{ action: 'push', target: { tag: 'x' } }] }, 'event "target.repository" is missing'],
  ])('rejects %j', (body, message) => {
    expect(() => parseDistributionEvents(body)).toThrow(new PayloadError('distribution', message));
  });
});

describe('other senders (sample bodies from the documented formats)', () => {
  it('Docker Hub: repo_name and push_data.tag on docker.io', () => {
    expect(parseDockerHubEvent(fixture('dockerhub-push.json')).events).toEqual([
      { registryHost: 'docker.io', repository: 'acme/web', tag: '1.4' },
    ]);
  });

  it('Docker Hub: an official image is library/NAME', () => {
    const body = { push_data: { tag: 'latest' }, repository: { repo_name: 'nginx' } };
    expect(parseDockerHubEvent(body).events[0].repository).toBe('library/nginx');
  });

  it('Quay: one event per updated tag, host from docker_url', () => {
    expect(parseQuayEvent(fixture('quay-repo-push.json')).events).toEqual([
      { registryHost: 'quay.io', repository: 'acme/api', tag: '2.0' },
      { registryHost: 'quay.io', repository: 'acme/api', tag: 'latest' },
    ]);
  });

  it('Quay: the older updated_tags map', () => {
    expect(parseQuayEvent(fixture('quay-repo-push-legacy.json')).events.map((e) => e.tag)).toEqual(['2.0']);
  });

  it('Harbor: Default format PUSH_ARTIFACT', () => {
    expect(parseHarborEvent(fixture('harbor-push-artifact.json')).events).toEqual([
      {
        registryHost: 'harbor.example.com',
        repository: 'team/worker',
        tag: '3.1',
        digest: 'sha256:8a9e3f4b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f',
      },
    ]);
  });

  it('Harbor: CloudEvents format, structured and binary', () => {
    const ce = fixture('harbor-cloudevent.json') as { data: unknown };
    expect(parseHarborEvent(ce).events.map((e) => e.tag)).toEqual(['3.2']);
    expect(parseHarborEvent(ce.data, { 'ce-type': 'harbor.artifact.pushed' }).events.map((e) => e.tag)).toEqual([
      '3.2',
    ]);
  });

  it('Harbor: other event types are ignored', () => {
    expect(parseHarborEvent(fixture('harbor-pull-artifact.json'))).toEqual({ events: [], ignored: 1 });
  });

  it('GitHub: registry_package published with a tag, repository lower-cased', () => {
    expect(parseGitHubEvent(fixture('github-registry-package-published.json'))).toEqual({
      events: [
        {
          registryHost: 'ghcr.io',
          repository: 'acme-org/shop',
          tag: 'v1.2.0',
          digest: 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292bb4f3aa5c2b1e6a4a9a1e6f0f',
        },
      ],
      ignored: 0,
    });
  });

  it('GitHub: untagged multi-arch children and pings are ignored', () => {
    expect(parseGitHubEvent(fixture('github-registry-package-untagged.json')).events).toEqual([]);
    expect(parseGitHubEvent({ zen: 'Keep it logically awesome.' }, 'ping')).toEqual({ events: [], ignored: 1 });
  });

  it('parseDelivery routes by sender and reads X-GitHub-Event', () => {
    expect(
      parseDelivery('github', fixture('github-registry-package-published.json'), { 'x-github-event': 'push' }).events,
    ).toEqual([]);
    expect(parseDelivery('quay', fixture('quay-repo-push.json')).events).toHaveLength(2);
  });

  it.each([
    ['dockerhub', { repository: { repo_name: 'a/b' } }],
    ['quay', { updated_tags: ['x'] }],
    ['harbor', { event_data: {} }],
    ['github', []],
  ] as const)('%s rejects a body of another shape', (sender, body) => {
    expect(() => parseDelivery(sender, body)).toThrow(PayloadError);
  });
});

describe('splitImageUrl', () => {
  it.each([
    ['quay.io/acme/api', { host: 'quay.io', repository: 'acme/api' }],
    ['harbor.example.com/team/worker:3.1', { host: 'harbor.example.com', repository: 'team/worker', tag: '3.1' }],
    ['127.0.0.1:5000/a/b:1@sha256:abc', { host: '127.0.0.1:5000', repository: 'a/b', tag: '1' }],
    ['ghcr.io/Acme/shop:', { host: 'ghcr.io', repository: 'Acme/shop' }],
    ['acme/api', { repository: 'acme/api' }],
  ])('%s', (url, want) => {
    expect(splitImageUrl(url)).toEqual(want);
  });
});
