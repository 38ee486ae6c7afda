import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { putEventsToBus } from '../../shared/events/eventbridge-publisher';

const eventBridge = mockClient(EventBridgeClient);

const build = { id: randomUUID(), app: { id: randomUUID(), name: 'web' }, created_at: '2026-11-30T05:00:00.000Z' };
const eventOf = (index: number): SlipwayEvent => ({
  id: randomUUID(),
  specversion: 1,
  type: 'build.created',
  time: `2026-11-30T05:00:00.${String(index).padStart(3, '0')}Z`,
  app: build.app,
  actor: { id: 'key-1', email: 'ci@example.com' },
  data: {
    ...build,
    updated_at: build.created_at,
    status: 'pending',
    source_blob: { image: 'registry.local/web:v1', commit: null, branch: null, repo: null, version: null, author: null, message: null, tag: null },
    slug: { id: build.id },
    commits: [],
    metadata: {},
    ci_build_id: null,
  },
});

const sentEntries = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

beforeEach(() => {
  eventBridge.reset();
});

describe('the EventBridge publisher', () => {
  it('puts each event on the bus with source slipway, its type as detail-type and the whole envelope as detail, 10 per call', async () => {
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }) => ({ FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: randomUUID() })) }));
    const events = Array.from({ length: 12 }, (_, index) => eventOf(index));
    await putEventsToBus('slipway-events', events);
    const calls = sentEntries();
    expect(calls.map((entries) => entries.length)).toEqual([10, 2]);
    const first = calls[0]?.[0];
    expect(first).toMatchObject({ EventBusName: 'slipway-events', Source: 'slipway', DetailType: 'build.created' });
    expect(JSON.parse(first?.Detail ?? '{}')).toEqual(events[0]);
  });

  it('sends again only the entries EventBridge failed, until they are accepted', async () => {
    const events = [eventOf(1), eventOf(2), eventOf(3)];
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'e3' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });
    await putEventsToBus('slipway-events', events);
    const calls = sentEntries();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.map((entry) => JSON.parse(entry.Detail ?? '{}').id)).toEqual([events[1]?.id]);
  });

  it('gives up with an error (the events stay in their outbox) when entries keep failing', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalException', ErrorMessage: 'x' }] });
    await expect(putEventsToBus('slipway-events', [eventOf(1)])).rejects.toThrow(/refused 1 event\(s\) after 4 attempts: InternalException/);
    expect(sentEntries()).toHaveLength(4);
  });
});
