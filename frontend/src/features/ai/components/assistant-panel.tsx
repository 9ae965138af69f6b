import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { FormError, Textarea } from '@/components/ui/form';
import { errorMessage } from '@/lib/api-client';

import { useChat, type ChatEvent, type ChatMessage, type Proposal } from '../api/chat';
import { ProposalCard } from './proposal-card';

type Turn = ChatMessage & { proposals?: Proposal[]; problems?: string[] };

const SUGGESTIONS = [
  'Who are my best customers in the US?',
  'Draft a welcome flow for new sign-ups',
  'Plan a campaign to win back customers who have not ordered in 90 days',
];

export function AssistantPanel() {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const onEvent = (e: ChatEvent) =>
    setTurns((all) => {
      const last = all[all.length - 1];
      if (!last || last.role !== 'assistant') return all;
      const next = { ...last };
      if (e.type === 'text') next.content += e.text;
      else if (e.type === 'proposal') next.proposals = [...(next.proposals ?? []), e.proposal];
      else if (e.type === 'error') next.problems = [...(next.problems ?? []), e.detail];
      else return all;
      return [...all.slice(0, -1), next];
    });
  const chat = useChat(onEvent);
  const send = (text: string) => {
    const content = text.trim();
    if (!content || chat.isPending) return;
    const history: ChatMessage[] = [
      ...turns.map(({ role, content: c }): ChatMessage => ({ role, content: c })),
      { role: 'user' as const, content },
    ].filter((m) => m.content.trim());
    setTurns((all) => [...all, { role: 'user', content }, { role: 'assistant', content: '' }]);
    setDraft('');
    chat.mutate(history, {
      // A failed turn gives the words back to the box, so nothing typed is lost.
      onError: () => {
        setTurns((all) => all.slice(0, -2));
        setDraft(content);
      },
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send(draft);
  };
  return (
    <>
      <PageHeader title="AI assistant" />
      <Card>
        <div className="space-y-3" aria-live="polite">
          {turns.length === 0 && (
            <div className="text-sm text-slate-600">
              <p>Ask about your customers, or for a segment, a flow or a campaign plan. Proposals apply with one click.</p>
              <div className="mt-3 flex flex-wrap gap-2">
                {SUGGESTIONS.map((s) => (
                  <Button key={s} variant="secondary" onClick={() => send(s)}>
                    {s}
                  </Button>
                ))}
              </div>
            </div>
          )}
          {turns.map((t, i) => (
            <div key={i} className={t.role === 'user' ? 'flex justify-end' : ''}>
              <div className={`max-w-[48rem] rounded-lg px-3 py-2 text-sm ${t.role === 'user' ? 'bg-indigo-600 text-white' : 'bg-slate-100 text-slate-800'}`}>
                <p className="whitespace-pre-wrap">{t.content || (chat.isPending && i === turns.length - 1 ? '…' : '')}</p>
                {t.proposals?.map((p, j) => (
                  <div key={j} className="mt-2">
                    <ProposalCard proposal={p} />
                  </div>
                ))}
                {t.problems?.map((p, j) => (
                  <p key={j} className="mt-2 text-red-700">
                    {p}
                  </p>
                ))}
              </div>
            </div>
          ))}
        </div>
        <form onSubmit={submit} className="mt-4 flex flex-col gap-2 sm:flex-row">
          <Textarea
            aria-label="Message"
            rows={2}
            className="font-sans"
            placeholder="Ask the assistant…"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                send(draft);
              }
            }}
          />
          <Button type="submit" busy={chat.isPending} disabled={!draft.trim()}>
            Send
          </Button>
        </form>
        <div className="mt-2">
          <FormError message={chat.isError ? errorMessage(chat.error) : null} />
        </div>
      </Card>
    </>
  );
}
