import type { Schemas } from '@/lib/api';

// The list leaves the bodies out; the detail (GET /api/messages/{id}) has them.
export type Message = Schemas['MessagePublic'] & Partial<Pick<Schemas['MessageDetail'], 'html' | 'text' | 'payload'>>;
export type MessageDetail = Schemas['MessageDetail'];
export type MessageFilters = { campaign_id?: number; flow_id?: number; customer_id?: number; status?: string };
