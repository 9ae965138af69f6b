import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type TemplateInput = {
  channel: 'email' | 'push';
  subject?: string;
  html?: string;
  title?: string;
  body?: string;
};
export type RenderedTemplate = Schemas['TemplatePreview'];

/** The content rendered for one customer, as they would receive it. */
export const previewTemplate = async (content: TemplateInput, customerId: number, signal?: AbortSignal) => {
  const full: Schemas['TemplateContent'] = { subject: '', html: '', title: '', body: '', preheader: '', ...content };
  return (await api.post<RenderedTemplate>('/api/templates/preview', { content: full, customer_id: customerId }, { signal })).data;
};

export const useTemplatePreview = (content: TemplateInput, customerId: number | undefined) =>
  useQuery({
    queryKey: ['templates', 'preview', content, customerId],
    queryFn: ({ signal }) => previewTemplate(content, customerId!, signal),
    enabled: customerId !== undefined,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
