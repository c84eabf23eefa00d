"""Run every benchmark in this folder, one after another: ``python -m bench [name ...]``.

Each benchmark is a script that compares peel with a baseline in the same run and prints
its figures; see the docstring at the top of each.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
wanted = set(sys.argv[1:])
scripts = sorted(p for p in here.glob("*.py") if not p.name.startswith("_"))
failed = []
for script in scripts:
    if wanted and script.stem not in wanted:
        continue
    print(f"\n=== bench/{script.name} ===", flush=True)
    if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
        failed.append(script.name)
sys.exit(f"failed: {', '.join(failed)}" if failed else 0)
