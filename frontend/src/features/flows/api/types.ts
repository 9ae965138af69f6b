import type { Schemas } from '@/lib/api';

import type { Step } from '../lib/steps';

export type Trigger =
  | { type: 'manual' }
  | { type: 'event'; event: string; properties?: Record<string, string | number | boolean | null> }
  | { type: 'segment'; segment_id?: number; criteria?: Record<string, unknown>; check_interval_seconds?: number };
export type Reentry = 'once_ever' | 'once_at_a_time' | 'every_time';

export type Flow = Schemas['FlowPublic'];
export type FlowRun = Schemas['FlowRunPublic'];
export type EnrollResult = Schemas['EnrollResult'];

export type FlowInput = {
  name: string;
  description?: string;
  trigger: Trigger;
  reentry: Reentry;
  exit_events: string[];
  steps: Step[];
};
