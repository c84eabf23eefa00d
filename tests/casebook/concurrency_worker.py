"""Run by test_concurrency.py as a separate OS process: opens and reads cases, each in its own
transaction, as fast as it can once the start file appears; prints when it began and ended."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from peel.casebook import cases, db


def main(url: str, username: str, count: int, ready_file: Path, start_file: Path) -> None:
    db.get_engine(url)  # connect and migrate before the race starts
    ready_file.touch()
    while not start_file.exists():
        time.sleep(0.002)
    began = time.time()
    for n in range(count):
        with db.transaction(url) as s:
            case_id = cases.open_case(s, username, domain="firearms", kind="renewal", details={"n": n},
                                      purpose="concurrency test: open", subject_ref=f"{username}-{n}")
        with db.transaction(url) as s:
            cases.read_case(s, username, case_id, purpose="concurrency test: read")
    print(began, time.time())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
