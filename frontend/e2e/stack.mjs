// Starts the real Nudge stack for tests: a temp SQLite database migrated with Alembic and seeded
// small, the Temporal dev server (free ports, the project's search attributes), the worker and
// the API (uvicorn). Nothing is shared with `make dev`: everything lives in a temp dir.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, '.venv', 'bin');

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

function portOpen(port) {
  return new Promise((ok) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => (socket.destroy(), ok(false)));
    socket.once('timeout', () => (socket.destroy(), ok(false)));
    socket.connect(port, '127.0.0.1');
  });
}

async function waitFor(what, check, proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`${what} exited with code ${proc.exitCode}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s`);
}

function run(cmd, args, env) {
  const result = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * @param {{temporal?: boolean, customers?: number}} options
 *   temporal: start the Temporal dev server and the worker too (campaigns and flows need them).
 */
export async function startStack({ temporal = true, customers = 40 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-e2e-'));
  const apiPort = await freePort();
  const temporalPort = await freePort();
  const secrets = {
    apiKey: 'nk_e2e_' + randomBytes(16).toString('hex'),
    email: 'admin@nudge.local',
    password: 'e2e-' + randomBytes(8).toString('hex'),
  };
  const env = {
    ...process.env,
    ENVIRONMENT: 'development',
    DATABASE_URL: `sqlite:///${join(dir, 'nudge.db')}`,
    NUDGE_API_KEY: secrets.apiKey,
    ADMIN_EMAIL: secrets.email,
    ADMIN_PASSWORD: secrets.password,
    SECRET_KEY: randomBytes(32).toString('hex'),
    PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal ? temporalPort : 1}`,
    TEMPORAL_TASK_QUEUE: `e2e-${randomBytes(4).toString('hex')}`,
    AI_PROVIDER: 'offline',
    EMAIL_CHANNEL: 'outbox',
    PUSH_CHANNEL: 'outbox',
    RATE_LIMIT_LOGIN_PER_MINUTE: '0',
    LOG_LEVEL: 'WARNING',
  };
  const procs = [];
  const log = openSync(join(dir, 'stack.log'), 'a');
  const start = (name, cmd, args) => {
    const proc = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', log, log], detached: true });
    procs.push({ name, proc });
    return proc;
  };
  const stop = async () => {
    for (const { proc } of procs.reverse()) {
      if (proc.exitCode === null) {
        try {
          process.kill(-proc.pid, 'SIGINT');
        } catch {
          /* already gone */
        }
      }
    }
    await Promise.all(
      procs.map(
        ({ proc }) =>
          new Promise((ok) => {
            if (proc.exitCode !== null) return ok();
            const timer = setTimeout(() => {
              try {
                process.kill(-proc.pid, 'SIGKILL');
              } catch {
                /* already gone */
              }
              ok();
            }, 8000);
            proc.once('exit', () => (clearTimeout(timer), ok()));
          }),
      ),
    );
    if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(join(BIN, 'alembic'), ['upgrade', 'head'], env);
    if (customers > 0) run(join(BIN, 'python'), ['-m', 'scripts.seed', '--customers', String(customers)], env);
    if (temporal) {
      const flags = run(
        join(BIN, 'python'),
        ['-c', 'from core.temporal_names import cli_search_attribute_flags as f; print("\\n".join(f()))'],
        env,
      )
        .trim()
        .split('\n');
      const server = start('temporal', join(BIN, 'temporal'), [
        'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(temporalPort),
        '--log-level', 'error', ...flags,
      ]);
      await waitFor('temporal', () => portOpen(temporalPort), server);
      await new Promise((r) => setTimeout(r, 1000)); // namespace and search attributes settle
      start('worker', join(BIN, 'python'), ['worker.py']);
    }
    const api = start('api', join(BIN, 'uvicorn'), [
      '--factory', 'api.main:create_app', '--host', '127.0.0.1', '--port', String(apiPort), '--log-level', 'warning',
    ]);
    const baseURL = `http://127.0.0.1:${apiPort}`;
    await waitFor('api', async () => (await fetch(`${baseURL}/healthz`).catch(() => null))?.ok === true, api);
    const dead = procs.find(({ proc }) => proc.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited with code ${dead.proc.exitCode}`);
    return { baseURL, dir, ...secrets, stop };
  } catch (error) {
    const log = readFileSync(join(dir, 'stack.log'), 'utf8').split('\n').slice(-40).join('\n');
    console.error(`--- last lines of the stack's log ---\n${log}`);
    await stop();
    throw error;
  }
}
