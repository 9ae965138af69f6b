"""`make dev`: the whole stack on one machine.

Writes missing secrets to .env (printed once), migrates the database, seeds demo data into an
empty database, then starts the Temporal dev server (state in .data/temporal.db, Web UI on :8233,
search attributes registered), the worker and the API (:8000). Ctrl-C stops all three.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / ".env"
DATA = ROOT / ".data"
BIN = Path(sys.executable).parent


def ensure_env() -> None:
    """Generate the secrets a fresh checkout lacks; never overwrite what is there."""
    existing = {}
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                existing[key.strip()] = value.strip()
    generated = {}
    if not existing.get("NUDGE_API_KEY") and not os.environ.get("NUDGE_API_KEY"):
        generated["NUDGE_API_KEY"] = "nk_" + secrets.token_urlsafe(32)
    if not existing.get("ADMIN_PASSWORD") and not os.environ.get("ADMIN_PASSWORD"):
        generated["ADMIN_PASSWORD"] = secrets.token_urlsafe(12)
    if not existing.get("SECRET_KEY") and not os.environ.get("SECRET_KEY"):
        generated["SECRET_KEY"] = secrets.token_urlsafe(48)
    if generated:
        with ENV_FILE.open("a") as env:
            env.write("\n# written by `make dev` on first run\n")
            for key, value in generated.items():
                env.write(f"{key}={value}\n")
        print("\n  New secrets written to .env (shown once):")
        for key in ("NUDGE_API_KEY", "ADMIN_PASSWORD"):
            if key in generated:
                print(f"    {key}={generated[key]}")
        print()


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(host: str, port: int, what: str, proc: subprocess.Popen, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        if proc.poll() is not None:
            sys.exit(f"{what} exited with code {proc.returncode}")
        time.sleep(0.3)
    sys.exit(f"{what} did not open port {port} within {timeout}s")


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, cwd=ROOT, check=True)


def main() -> None:
    os.chdir(ROOT)
    DATA.mkdir(exist_ok=True)
    ensure_env()
    from core.config import get_settings
    from core.temporal_names import cli_search_attribute_flags

    settings = get_settings()
    print("• migrating the database", flush=True)
    run([str(BIN / "alembic"), "upgrade", "head"])
    print("• demo data", flush=True)
    run([sys.executable, "-m", "scripts.seed", "--if-empty"])

    procs: list[tuple[str, subprocess.Popen]] = []
    host, _, port = settings.temporal_address.partition(":")
    if port_open(host or "localhost", int(port or 7233)):
        print(f"• Temporal already running at {settings.temporal_address}; using it", flush=True)
    else:
        print("• starting the Temporal dev server (Web UI http://localhost:8233)", flush=True)
        temporal = subprocess.Popen(
            [
                str(BIN / "temporal"),
                "server",
                "start-dev",
                "--db-filename",
                str(DATA / "temporal.db"),
                "--ip",
                "127.0.0.1",
                "--port",
                port or "7233",
                "--ui-port",
                "8233",
                "--namespace",
                settings.temporal_namespace,
                "--log-level",
                "error",  # its shutdown warnings would bury the Ctrl-C summary
                *cli_search_attribute_flags(),
            ],
            cwd=ROOT,
            start_new_session=True,
        )
        procs.append(("temporal", temporal))
        wait_for_port("127.0.0.1", int(port or 7233), "temporal", temporal)
        time.sleep(1.0)  # the namespace and search attributes are ready just after the port

    print("• starting the worker", flush=True)
    procs.append(
        (
            "worker",
            subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, start_new_session=True),
        )
    )
    print("• starting the API on http://localhost:8000", flush=True)
    api = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "--factory",
            "api.main:create_app",
            "--host",
            "0.0.0.0",
            "--port",
            os.environ.get("PORT", "8000"),
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    procs.append(("api", api))
    wait_for_port("127.0.0.1", int(os.environ.get("PORT", "8000")), "api", api)
    print(
        "\n  Nudge is up:  app http://localhost:8000   API docs http://localhost:8000/docs"
        "   Temporal UI http://localhost:8233\n  Log in as "
        f"{settings.admin_email} with ADMIN_PASSWORD from .env. Ctrl-C stops everything.\n",
        flush=True,
    )

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        for name, proc in procs:
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping", flush=True)
                stopping = True
        time.sleep(0.5)
    shutdown(procs)


def shutdown(procs: list[tuple[str, subprocess.Popen]]) -> None:
    print("\n• stopping", ", ".join(name for name, _ in reversed(procs)), flush=True)
    for _name, proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for name, proc in reversed(procs):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"  {name} did not stop in time; killing it", flush=True)
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
