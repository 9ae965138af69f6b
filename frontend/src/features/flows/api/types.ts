import type { SchemaOr } from '@/lib/api';

import type { Step } from '../lib/steps';

export type Trigger =
  | { type: 'manual' }
  | { type: 'event'; event: string; properties?: Record<string, string | number | boolean | null> }
  | { type: 'segment'; segment_id?: number; criteria?: Record<string, unknown>; check_interval_seconds?: number };
export type Reentry = 'once_ever' | 'once_at_a_time' | 'every_time';

type FlowShape = {
  id: number;
  name: string;
  description: string;
  status: string;
  trigger: Record<string, unknown>;
  reentry: string;
  exit_events: string[];
  quiet_hours: Record<string, unknown> | null;
  steps: Record<string, unknown>[];
  version?: number | null;
  created_at: string;
  updated_at: string;
};
type RunShape = {
  id: number;
  flow_id: number;
  flow_version: number;
  customer_id: number;
  workflow_id: string;
  entered_via: string;
  status: string;
  current_step: string | null;
  next_wake_at: string | null;
  exit_reason: string | null;
  started_at: string;
  finished_at: string | null;
  temporal_url: string;
};
export type Flow = SchemaOr<'FlowPublic', FlowShape>;
export type FlowRun = SchemaOr<'FlowRunPublic', RunShape>;
export type EnrollResult = SchemaOr<'EnrollResult', { enrolled: number; skipped: number; workflow_ids: string[] }>;

export type FlowInput = {
  name: string;
  description?: string;
  trigger: Trigger;
  reentry: Reentry;
  exit_events: string[];
  steps: Step[];
};
