import type { Schemas } from '@/lib/api';

export type Campaign = Schemas['CampaignPublic'];
export type CampaignCreate = Schemas['CampaignCreate-Input'];
export type CampaignUpdate = Schemas['CampaignUpdate'];
export type Progress = Schemas['ProgressPublic'];
export type Stats = Schemas['StatsPublic'];
export type ScheduleIn = Schemas['ScheduleIn-Input'];

/** Statuses in which the campaign's workflow may still move. */
export const LIVE_STATUSES = ['scheduled', 'sending', 'paused'];
