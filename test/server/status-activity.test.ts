/** What serve remembers for its status page (src/server/status/activity.ts): bounded, newest first. */
import { describe, expect, it } from 'vitest';
import { ActivityLog, observingLogger } from '../../src/server/status/activity.js';
import { memoryLogger } from '../helpers/server.js';
import { result } from '../helpers/status.js';

describe('status activity', () => {
  it('keeps the newest 50 deliveries and runs, newest first, and clips long texts', () => {
    let t = Date.parse('2026-11-22T12:00:00Z');
    const activity = new ActivityLog(() => (t += 1000));
    for (let i = 0; i < 60; i++)
      activity.observe('info', 'delivery', 'quay delivery accepted', {
        sender: 'quay',
        result: 'accepted',
        queued: 1,
        repositories: [`quay.io/org/app${i}:${'x'.repeat(i === 59 ? 2000 : 1)}`],
      });
    expect(activity.deliveries).toHaveLength(50);
    expect(activity.deliveries[0].repositories[0]).toHaveLength(500);
    expect(activity.deliveries[0].repositories[0].endsWith('…')).toBe(true);
    expect(activity.deliveries[49].repositories[0]).toBe('quay.io/org/app10:x');
    expect(Date.parse(activity.deliveries[0].at)).toBeGreaterThan(Date.parse(activity.deliveries[1].at));
    for (let i = 0; i < 55; i++)
      activity.observe('info', 'import', 'm', { trigger: 'webhook', changed: 0, unchanged: 1, failed: 0 });
    expect(activity.imports).toHaveLength(50);
  });

  it('a run lists the tags its refresh changed; the last scheduled run survives later webhook runs', () => {
    const log = memoryLogger();
    const activity = new ActivityLog();
    const logger = observingLogger(log.logger, activity);
    activity.recordRefresh(
      result([
        { namespace: 'team', stream: 'app', tag: '1.0', from: 'x', status: 'changed', reason: 'Updated' },
        { namespace: 'team', stream: 'app', tag: '2.0', from: 'x', status: 'unchanged', reason: 'Unchanged' },
      ]),
    );
    logger.log('info', 'import', 'schedule import', {
      trigger: 'schedule',
      bucket: '2/4',
      changed: 1,
      unchanged: 1,
      failed: 0,
      durationMs: 42,
    });
    for (let i = 0; i < 60; i++)
      logger.log('info', 'import', 'webhook import', { trigger: 'webhook', changed: 0, unchanged: 1, failed: 0 });
    expect(log.lines).toHaveLength(61); // the log itself still gets every line
    expect(activity.lastScheduledRun).toMatchObject({
      trigger: 'schedule',
      bucket: '2/4',
      durationMs: 42,
      tags: 2,
      changed: 1,
      changedTags: ['team/app:1.0'],
    });
    expect(activity.imports[0].changedTags).toEqual([]);
    expect(activity.tag('tag:team/app:2.0')).toMatchObject({ status: 'unchanged', heldBack: null });
  });

  it('alike deliveries in a row that name no repository share one row with a count', () => {
    let t = Date.parse('2026-11-22T12:00:00Z');
    const activity = new ActivityLog(() => (t += 1000));
    const ignored = { sender: 'distribution', result: 'ignored', ignored: 1 };
    activity.observe('info', 'delivery', 'distribution delivery ignored', ignored);
    activity.observe('info', 'delivery', 'distribution delivery ignored', ignored);
    activity.observe('info', 'delivery', 'distribution delivery accepted', {
      sender: 'distribution',
      result: 'accepted',
      queued: 1,
      repositories: ['r/a:1'],
    });
    for (let i = 0; i < 3; i++) activity.observe('info', 'delivery', 'distribution delivery ignored', ignored);
    expect(activity.deliveries.map((d) => [d.outcome, d.count, d.firstAt, d.at])).toEqual([
      ['ignored', 3, '2026-11-22T12:00:04.000Z', '2026-11-22T12:00:06.000Z'],
      ['accepted', 1, '2026-11-22T12:00:03.000Z', '2026-11-22T12:00:03.000Z'],
      ['ignored', 2, '2026-11-22T12:00:01.000Z', '2026-11-22T12:00:02.000Z'],
    ]);
  });

  it('a refused delivery keeps the reason auth.ts gave, an import error its message', () => {
    const activity = new ActivityLog();
    activity.observe('warn', 'delivery', 'github delivery refused: bad signature', {
      sender: 'github',
      result: 'unauthorized',
      status: 401,
    });
    activity.observe('error', 'import-error', 'refresh failed: timed out waiting for the folder lock', {
      trigger: 'schedule',
    });
    activity.observe('info', 'no-match', 'no stream tag imports this repository and tag', {
      sender: 'dockerhub',
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: '1.27',
    });
    expect(activity.deliveries[0]).toMatchObject({
      outcome: 'unauthorized',
      message: 'bad signature',
      repositories: [],
    });
    expect(activity.imports[1]).toMatchObject({
      outcome: 'error',
      message: 'refresh failed: timed out waiting for the folder lock',
    });
    expect(activity.lastScheduledRun).toMatchObject({ outcome: 'error' });
    expect(activity.imports[0]).toMatchObject({
      outcome: 'no-match',
      message: 'no stream tag imports docker.io/library/nginx:1.27 (dockerhub push)',
    });
  });
});
