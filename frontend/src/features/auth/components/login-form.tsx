import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';

import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/form';
import { errorMessage } from '@/lib/api-client';
import { useLogin, useMe } from '@/lib/auth';

export function LoginForm() {
  const [params] = useSearchParams();
  const next = params.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});

  if (me.data) return <Navigate to={target} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: typeof errors = {};
    if (!/^\S+@\S+$/.test(email.trim())) found.email = 'Enter your email address';
    if (!password) found.password = 'Enter your password';
    setErrors(found);
    if (Object.keys(found).length) return;
    login.mutate({ email: email.trim(), password }, { onSuccess: () => navigate(target, { replace: true }) });
  };

  return (
    <div className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} noValidate className="w-full max-w-sm space-y-4 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <div>
          <div className="text-2xl font-bold text-indigo-700">Nudge</div>
          <p className="text-sm text-slate-500">Log in to your marketing workspace.</p>
        </div>
        <Field label="Email" error={errors.email}>
          <Input type="email" name="email" autoComplete="username" aria-invalid={Boolean(errors.email)} value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" error={errors.password}>
          <Input type="password" name="password" autoComplete="current-password" aria-invalid={Boolean(errors.password)} value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <FormError message={login.isError ? errorMessage(login.error) : null} />
        <Button type="submit" className="w-full" busy={login.isPending}>
          Log in
        </Button>
      </form>
    </div>
  );
}
