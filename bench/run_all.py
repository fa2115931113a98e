"""`make bench`: run every benchmark in bench/ in turn and print their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["mrp.py", "ledger.py", "mrp_db.py"]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        failed |= subprocess.call([sys.executable, str(path), *sys.argv[1:]])
    return failed


if __name__ == "__main__":
    sys.exit(main())
