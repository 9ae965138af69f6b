import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Page, Schemas } from '@/lib/api';

// A few customers to preview a template for (features do not import each other).
export type PreviewCustomer = Pick<Schemas['CustomerPublic'], 'id' | 'email' | 'first_name' | 'last_name'>;

export const getPreviewCustomers = async () =>
  (await api.get<Page<PreviewCustomer>>('/api/customers', { params: { limit: 20 } })).data.data;

export const previewCustomersQuery = () =>
  queryOptions({ queryKey: ['customers', 'list', 'preview-picker'], queryFn: getPreviewCustomers });

export const usePreviewCustomers = () => useQuery(previewCustomersQuery());
