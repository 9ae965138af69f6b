import type { Page, SchemaOr } from '@/lib/api';

import type { Group } from '../lib/criteria';

type SegmentShape = {
  id: number;
  name: string;
  description?: string;
  criteria: Group;
  customer_count?: number | null;
  computed_at?: string | null;
  created_at: string;
  updated_at: string;
};
export type Segment = SchemaOr<'SegmentPublic', SegmentShape>;
export type Segments = Page<Segment>;
export type SegmentInput = { name: string; description?: string; criteria: Group };
export type SampleMember = { id: number; email: string; first_name?: string; last_name?: string; country?: string | null };
export type Preview = { count: number; sample: SampleMember[] };
