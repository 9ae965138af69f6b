import type { Page, Schemas } from '@/lib/api';

import type { Group } from '../lib/criteria';

export type Segment = Schemas['SegmentPublic'];
export type Segments = Page<Segment>;
export type SegmentInput = { name: string; description?: string; criteria: Group };
export type SampleMember = Schemas['MemberPublic'];
export type Preview = Schemas['PreviewResult'];
