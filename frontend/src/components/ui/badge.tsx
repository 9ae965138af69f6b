const tones: Record<string, string> = {
  draft: 'bg-slate-100 text-slate-700',
  scheduled: 'bg-sky-100 text-sky-800',
  sending: 'bg-indigo-100 text-indigo-800',
  running: 'bg-indigo-100 text-indigo-800',
  waiting: 'bg-sky-100 text-sky-800',
  active: 'bg-emerald-100 text-emerald-800',
  completed: 'bg-emerald-100 text-emerald-800',
  sent: 'bg-emerald-100 text-emerald-800',
  paused: 'bg-amber-100 text-amber-800',
  pending: 'bg-amber-100 text-amber-800',
  cancelled: 'bg-slate-200 text-slate-700',
  archived: 'bg-slate-200 text-slate-700',
  exited: 'bg-slate-200 text-slate-700',
  skipped: 'bg-slate-200 text-slate-700',
  failed: 'bg-red-100 text-red-800',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      data-status={status}
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${tones[status] ?? 'bg-slate-100 text-slate-700'}`}
    >
      {status}
    </span>
  );
}
