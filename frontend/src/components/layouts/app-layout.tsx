import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';

import { useLogout, useMe } from '@/lib/auth';

const nav = [
  ['/', 'Dashboard'],
  ['/customers', 'Customers'],
  ['/segments', 'Segments'],
  ['/campaigns', 'Campaigns'],
  ['/flows', 'Flows'],
  ['/messages', 'Messages'],
  ['/assistant', 'AI assistant'],
] as const;

export function AppLayout() {
  const [open, setOpen] = useState(false);
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const links = (
    <nav className="flex flex-col gap-0.5">
      {nav.map(([to, label]) => (
        <NavLink
          key={to}
          to={to}
          end={to === '/'}
          onClick={() => setOpen(false)}
          className={({ isActive }) =>
            `rounded-md px-3 py-2 text-sm font-medium ${isActive ? 'bg-indigo-50 text-indigo-700' : 'text-slate-600 hover:bg-slate-100'}`
          }
        >
          {label}
        </NavLink>
      ))}
    </nav>
  );
  const account = (
    <div className="border-t border-slate-200 pt-3 text-xs text-slate-500">
      <div className="truncate px-3">{me.data?.email ?? me.data?.api_key_prefix}</div>
      <button
        type="button"
        className="mt-1 px-3 text-left text-sm text-slate-600 hover:text-slate-900"
        onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login') })}
      >
        Log out
      </button>
    </div>
  );
  return (
    <div className="min-h-screen md:flex">
      <aside className="hidden w-56 shrink-0 flex-col justify-between border-r border-slate-200 bg-white p-3 md:flex md:min-h-screen">
        <div>
          <div className="mb-4 px-3 text-lg font-bold text-indigo-700">Nudge</div>
          {links}
        </div>
        {account}
      </aside>
      <header className="flex items-center justify-between border-b border-slate-200 bg-white px-4 py-2 md:hidden">
        <span className="text-lg font-bold text-indigo-700">Nudge</span>
        <button
          type="button"
          aria-label="Menu"
          aria-expanded={open}
          className="rounded-md px-2 py-1 text-slate-600 ring-1 ring-slate-300"
          onClick={() => setOpen((v) => !v)}
        >
          ☰
        </button>
      </header>
      {open && (
        <div className="border-b border-slate-200 bg-white p-3 md:hidden">
          {links}
          <div className="mt-3">{account}</div>
        </div>
      )}
      <main className="min-w-0 flex-1 p-4 md:p-6">
        <Outlet />
      </main>
    </div>
  );
}
