"""Run every benchmark in this folder, one after another: ``python -m bench [name ...] [options]``.

Options (everything from the first word starting with ``-``) go to each benchmark run, e.g.
``python -m bench web --seconds 10`` or ``python -m bench detection --seeds 2``.

Each benchmark is a script that compares peel with a baseline in the same run and prints
its figures; see the docstring at the top of each.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
arguments = sys.argv[1:]
first_option = next((i for i, word in enumerate(arguments) if word.startswith("-")), len(arguments))
wanted, options = set(arguments[:first_option]), arguments[first_option:]
scripts = sorted(p for p in here.glob("*.py") if not p.name.startswith("_"))
failed = []
for script in scripts:
    if wanted and script.stem not in wanted:
        continue
    print(f"\n=== bench/{script.name} ===", flush=True)
    if subprocess.run([sys.executable, str(script), *options], check=False).returncode != 0:
        failed.append(script.name)
sys.exit(f"failed: {', '.join(failed)}" if failed else 0)
