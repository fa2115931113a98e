"""``plantops serve --processes N``: N worker processes, each attached to the parent's services."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import TenantHandle, free_port


def _children(pid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                status = Path(f"/proc/{name}/status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(name))
    return found


def test_two_processes_serve_the_api(services: dict[str, str], tenant: TenantHandle) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": services["owner_url"], "APP_DATABASE_URL": services["app_url"],
           "REDIS_URL": services["redis_url"]}
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--processes", "2", "--no-migrate", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.3)
        # Each request may land on either worker: every one of them reads the database.
        with httpx.Client(base_url=base, headers=tenant.headers, timeout=10) as http:
            answers = [http.get("/api/v1/me") for _ in range(20)]
        assert {a.status_code for a in answers} == {200}
        assert {a.json()["tenant_id"] for a in answers} == {str(tenant.tenant_id)}
        workers = [p for p in _children(server.pid)
                   if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) == 2, workers
    finally:
        server.terminate()
        server.wait(timeout=30)
