import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { FieldSpec } from '../lib/criteria';

export const getFields = async (): Promise<FieldSpec[]> => {
  const body = (await api.get<FieldSpec[] | { data: FieldSpec[] }>('/api/segments/fields')).data;
  return Array.isArray(body) ? body : body.data;
};

export const fieldsQuery = () =>
  queryOptions({ queryKey: ['segments', 'fields'], queryFn: getFields, staleTime: Infinity });

export const useFields = () => useQuery(fieldsQuery());
