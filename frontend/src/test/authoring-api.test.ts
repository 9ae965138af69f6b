// @vitest-environment node
// The segments, campaigns, flows, messages, templates and AI API modules against the real API
// (no Temporal here: launching is covered end to end in e2e/).
import { beforeAll, describe, expect, it } from 'vitest';

import { runAction } from '@/features/campaigns/api/campaign-actions';
import { getCampaign } from '@/features/campaigns/api/get-campaign';
import { getCampaigns } from '@/features/campaigns/api/get-campaigns';
import { previewTemplate } from '@/features/campaigns/api/preview-template';
import { createCampaign, updateCampaign } from '@/features/campaigns/api/save-campaign';
import { getFlow } from '@/features/flows/api/get-flow';
import { getFlows } from '@/features/flows/api/get-flows';
import { createFlow } from '@/features/flows/api/save-flow';
import { getMessages } from '@/features/messages/api/get-messages';
import { describeSegment } from '@/features/segments/api/ai-segment';
import { deleteSegment } from '@/features/segments/api/delete-segment';
import { getFields } from '@/features/segments/api/get-fields';
import { getSegment } from '@/features/segments/api/get-segment';
import { getSegments } from '@/features/segments/api/get-segments';
import { previewSegment } from '@/features/segments/api/preview-segment';
import { createSegment, updateSegment } from '@/features/segments/api/save-segment';
import { newCondition, validate, type Group } from '@/features/segments/lib/criteria';
import { errorMessage } from '@/lib/api-client';

import { useRealApi } from './use-real-api';

beforeAll(() => {
  useRealApi();
});

describe('segments', () => {
  it('builds criteria from the served registry that the server accepts', async () => {
    const fields = await getFields();
    const names = fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['country', 'total_spent', 'event', 'product']));
    // Every registry entry gives a starting condition; filled in, the server counts it.
    const spent = newCondition(fields.find((f) => f.name === 'total_spent')!);
    const criteria: Group = { match: 'all', conditions: [{ ...spent, op: 'gte', value: 0 } as never] };
    expect(validate(criteria, fields)).toEqual([]);
    const preview = await previewSegment(criteria);
    expect(preview.count).toBeGreaterThanOrEqual(30);
    expect(preview.sample.length).toBeGreaterThan(0);
    expect(preview.sample[0].email).toContain('@');
  });

  it('creates, reads, updates and deletes a segment', async () => {
    const criteria: Group = { match: 'any', conditions: [{ field: 'country', op: 'in', value: ['US', 'GB'] }] };
    const created = await createSegment({ name: 'Anglophones', criteria });
    expect(created.criteria).toEqual(criteria);
    expect((await getSegments()).data.map((s) => s.id)).toContain(created.id);
    const renamed = await updateSegment(created.id, { name: 'US and GB' });
    expect(renamed.name).toBe('US and GB');
    expect((await getSegment(created.id)).name).toBe('US and GB');
    await deleteSegment(created.id);
    expect(errorMessage(await getSegment(created.id).catch((e) => e))).toMatch(/not found/);
  });

  it('shows where the server refuses criteria', async () => {
    const bad = { match: 'all', conditions: [{ field: 'shoe_size', op: 'eq', value: 42 }] } as Group;
    const refused = await previewSegment(bad).catch((e) => e);
    expect(refused.response.status).toBe(422);
    expect(errorMessage(refused)).toMatch(/shoe_size/);
  });

  it('describes a segment in words (offline AI)', async () => {
    const answer = await describeSegment('customers in the US who spent over 100');
    expect(answer.criteria.match).toMatch(/all|any/);
    expect(typeof answer.count).toBe('number');
  });
});

describe('campaigns, templates and messages', () => {
  it('creates and edits a draft, previews its template, and explains a refused launch', async () => {
    const segment = await createSegment({ name: 'Everyone', criteria: { match: 'all', conditions: [{ field: 'total_spent', op: 'gte', value: 0 }] } });
    const campaign = await createCampaign({
      name: 'Spring',
      segment_id: segment.id,
      channel: 'email',
      subject: 'Hi {{ customer.first_name }}',
      html: '<p>Hello {{ customer.first_name }}</p>',
    });
    expect(campaign.status).toBe('draft');
    expect((await getCampaigns()).data.map((c) => c.id)).toContain(campaign.id);
    const edited = await updateCampaign(campaign.id, { name: 'Spring sale' });
    expect(edited.name).toBe('Spring sale');
    expect((await getCampaign(campaign.id)).steps[0].subject).toBe('Hi {{ customer.first_name }}');

    const rendered = await previewTemplate({ channel: 'email', subject: 'Hi {{ customer.first_name }}', html: '<p>x</p>' }, 1);
    expect(rendered.subject).toMatch(/^Hi \w+/);
    const broken = await previewTemplate({ channel: 'email', subject: 'Hi {{ nobody }}', html: '<p>x</p>' }, 1).catch((e) => e);
    expect(errorMessage(broken)).toMatch(/nobody/);

    // No Temporal in this test stack: the API says so instead of failing obscurely.
    const launch = await runAction(campaign.id, 'launch').catch((e) => e);
    expect(launch.response.status).toBe(503);
    expect(errorMessage(launch)).toMatch(/Temporal/);
    expect((await getCampaign(campaign.id)).status).toBe('draft');
  });

  it('lists messages with filters', async () => {
    const page = await getMessages({ campaign_id: 999_999 });
    expect(page.data).toEqual([]);
    expect((await getMessages({ customer_id: 999_999 })).data).toEqual([]);
  });
});

describe('flows', () => {
  it('creates a flow with nested steps and reads it back with step keys', async () => {
    const flow = await createFlow({
      name: 'Welcome',
      trigger: { type: 'manual' },
      reentry: 'once_at_a_time',
      exit_events: ['placed_order'],
      steps: [
        { type: 'SEND_EMAIL', subject: 'Hi', html: '<p>Hi {{ customer.first_name }}</p>' },
        { type: 'WAIT', duration_seconds: 3600 },
        {
          type: 'CONDITION',
          criteria: { match: 'all', conditions: [{ field: 'order_count', op: 'gt', value: 0 }] },
          if_true: [{ type: 'SEND_PUSH', title: 'Thanks', body: 'for your order' }],
          if_false: [],
        },
      ],
    });
    expect(flow.status).toBe('draft');
    const again = await getFlow(flow.id);
    expect(again.steps.map((s) => s.key)).toEqual(['s1', 's2', 's3']);
    expect((await getFlows()).data.map((f) => f.id)).toContain(flow.id);
    const refused = await createFlow({ name: 'Empty', trigger: { type: 'manual' }, reentry: 'once_ever', exit_events: [], steps: [] }).catch((e) => e);
    expect(refused.response.status).toBe(422);
    expect(errorMessage(refused)).toMatch(/steps/);
  });
});
