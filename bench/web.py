"""Benchmark: the web app under 20 concurrent users on loopback, on the demo force.

Target: no errors, and the 95th percentile of response times under 200 ms. ``peel serve``
runs in its own process, as a force runs it, over a PEEL_HOME holding the demo force
(``peel demo-data``) and a performance analyst's account per client. Each client signs in
first (not timed), then for the duration requests, one after another, the start page, every
page its start page links to and every GET route of the JSON API under
``/api/`` that takes no parameter. Prints requests per second, median and 95th percentile
latency and errors, and the server's CPU time per request (Linux), which other programs on
the machine disturb less than latency. Before the timed run each path is requested once: the
first reader of a published warehouse generation works out the figures the next ones reuse
(``peel.warehouse.generations.remember``); that pass is printed, not counted. Baseline, in the
same run: the same clients against a bare FastAPI "hello" endpoint served by uvicorn the same
way, for the floor the machine and the client set; printed with the ratios, which are what
to compare on a busy machine.

    .venv/bin/python bench/web.py                    # 60 s, 20 clients, full-size demo force
    .venv/bin/python bench/web.py --seconds 15 --keep       # shorter; keeps the demo force, says where
    .venv/bin/python bench/web.py --seconds 15 --home DIR   # DIR: a PEEL_HOME with the demo force
    .venv/bin/python bench/web.py --ingest tests/data/police_uk/hertfordshire-2021-01-to-2022-01.zip

``--ingest`` runs ``peel ingest police-uk`` on the given files in another process while the
clients run: the load publishes a new warehouse generation, and no request may fail meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "bench horse battery staple"
ROLE = "performance_analyst"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
START_LINK = re.compile(r'<a class="govuk-link" href="(/[^"]*)">')
TIMEOUT = 120  # seconds a client waits for one answer before counting it an error
PEEL = [sys.executable, "-c", "from peel.cli import app; app()"]
HELLO_APP = (
    "import sys, uvicorn; from fastapi import FastAPI; app = FastAPI(); "
    "app.get('/')(lambda: {'hello': 'world'}); "
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the peel run lasts")
    parser.add_argument("--baseline-seconds", type=float, default=20, help="how long the baseline run lasts")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--home", type=Path, help="a PEEL_HOME that already holds the demo force")
    parser.add_argument("--keep", action="store_true", help="keep the demo force made for this run, for --home")
    parser.add_argument("--ingest", type=Path, nargs="+", help="police.uk files to load while serving")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="peel-bench-web-"))
    try:
        run(args, work)
    finally:
        if args.keep and args.home is None:
            print(f"the demo force is kept in {work}: run again with --home {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    home = args.home or work
    # A casebook of the run's own, with the bench accounts, whatever home is used.
    env = os.environ | {"PEEL_HOME": str(home), "PEEL_CASEBOOK_URL": f"sqlite:///{work / 'casebook.sqlite'}"}
    if args.home is None:
        t = time.perf_counter()
        subprocess.run([*PEEL, "demo-data"], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"demo force generated and loaded in {time.perf_counter() - t:.0f} s")
    usernames = make_accounts(env, args.clients)

    port = get_free_port()
    with serving([*PEEL, "serve", "--port", str(port)], env, f"http://127.0.0.1:{port}/sign-in") as server:
        result = asyncio.run(run_peel(f"http://127.0.0.1:{port}", usernames, args.seconds, args.ingest, env,
                                      server))
    port = get_free_port()
    with serving([sys.executable, "-c", HELLO_APP, str(port)], env, f"http://127.0.0.1:{port}/") as server:
        baseline = asyncio.run(run_clients(f"http://127.0.0.1:{port}", [{}] * args.clients, ["/"],
                                           args.baseline_seconds, server))

    print(f"pages and API requested: {', '.join(result.paths)}")
    print(result.line(f"peel serve, {args.clients} clients, {args.seconds:.0f} s"))
    print("\n".join(result.path_lines()))
    print(baseline.line(f"baseline, bare FastAPI hello, {args.clients} clients, {args.baseline_seconds:.0f} s"))
    print(f"ratio peel / baseline: throughput {result.rate / baseline.rate:.2f}, "
          f"p95 latency {result.p95 / baseline.p95:.1f}x"
          + (f", server CPU per request {result.cpu / baseline.cpu:.1f}x" if result.cpu and baseline.cpu else ""))
    met = result.errors == 0 and result.p95 < 0.2
    print(f"target: 0 errors and p95 under 200 ms: {'met' if met else 'NOT met'}")


def make_accounts(env: dict, clients: int) -> list[str]:
    """One performance analyst's account per client (hashing passwords is slow: done once)."""
    os.environ.update(env)
    from peel.casebook import db, users
    from peel.settings import get_settings

    names = [f"bench.analyst.{n}" for n in range(clients)]
    with db.transaction(get_settings().casebook_url) as session:
        users.add_user(session, "bench.admin", "administrator", acting=None, password=PASSWORD)
        for name in names:
            users.add_user(session, name, ROLE, acting="bench.admin", password=PASSWORD)
    db.dispose_engines()
    return names


def get_free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class serving:
    """A server process for the block's length, ready (``ready_url`` answers) on entry."""

    def __init__(self, command: list[str], env: dict, ready_url: str):
        self.command, self.env, self.ready_url = command, env, ready_url

    def __enter__(self):
        self.process = subprocess.Popen(self.command, env=self.env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.ready_url).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {' '.join(self.command)}")
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def read_cpu_seconds(self) -> float | None:
        """The server's CPU time so far (user and system), or None where /proc does not say."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Result:
    def __init__(self, paths: list[str], timed: list[tuple[str, float]], errors: list[str], seconds: float,
                 cpu_seconds: float | None, load: tuple[float, float]):
        self.paths, self.errors, self.seconds, self.load = paths, len(errors), seconds, load
        self.latencies = [t for _, t in timed]
        self.by_path = {p: [t for q, t in timed if q == p] for p in paths}
        self.first_errors = errors[:5]
        self.rate = len(self.latencies) / seconds
        self.median = statistics.median(self.latencies)
        self.p95 = get_p95(self.latencies)
        self.cpu = cpu_seconds / len(self.latencies) if cpu_seconds is not None else None  # per request

    def path_lines(self) -> list[str]:
        return [f"  {path}: {len(times):,} requests, median {statistics.median(times) * 1000:.0f} ms, "
                f"p95 {get_p95(times) * 1000:.0f} ms" for path, times in self.by_path.items() if times]

    def line(self, what: str) -> str:
        shown = f" (first: {'; '.join(self.first_errors)})" if self.errors else ""
        cpu = f", server CPU {self.cpu * 1000:.1f} ms per request" if self.cpu is not None else ""
        return (f"{what}: {len(self.latencies):,} requests, {self.rate:.1f} per second, median "
                f"{self.median * 1000:.0f} ms, p95 {self.p95 * 1000:.0f} ms, errors {self.errors}{shown}{cpu}; "
                f"load average {self.load[0]:.1f} before, {self.load[1]:.1f} after")


def get_p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


async def run_peel(base: str, usernames: list[str], seconds: float, ingest: list[Path] | None,
                   env: dict, server: serving) -> Result:
    """Sign every client in, find the pages a start page links to and the API, request each
    once (the figures a generation's first reader works out), then run (with ``ingest``,
    while those files load in another process)."""
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
        cookies = [await sign_in(client, name) for name in usernames]
        start = await client.get("/", headers=cookie_header(cookies[0]))
        start.raise_for_status()
        api = []
        for path in list_api_paths():  # the role's API: what it refuses to the role is no load
            answer = await client.get(path, headers=cookie_header(cookies[0]))
            if answer.status_code == 403:
                print(f"{path}: refused to a {ROLE}, left out")
            else:
                api.append(path)
        paths = ["/", *dict.fromkeys(START_LINK.findall(start.text)), *api]
        first = []
        for path in paths:
            t = time.perf_counter()
            (await client.get(path, headers=cookie_header(cookies[0]))).raise_for_status()
            first.append(f"{path} {(time.perf_counter() - t) * 1000:.0f} ms")
        print(f"first requests (not counted): {', '.join(first)}")
    if not ingest:
        return await run_clients(base, cookies, paths, seconds, server)
    load = await asyncio.create_subprocess_exec(*PEEL, "ingest", "police-uk", *map(str, ingest), env=env,
                                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    result = await run_clients(base, cookies, paths, seconds, server)
    output = (await load.communicate())[0].decode().strip()
    print(f"the ingest while serving {'finished' if load.returncode == 0 else 'FAILED'}: "
          f"{output.splitlines()[-1] if output else ''}")
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/", headers=cookie_header(cookies[0]))
    print("after it, pages show:", re.search(r'id="data-snapshot">([^<]*)', page.text)[1].strip())
    return result


async def sign_in(client: httpx.AsyncClient, username: str) -> dict:
    """Sign in as a browser does; the session cookie, kept by hand: it is Secure, which a
    browser sends to 127.0.0.1 over http and httpx does not."""
    client.cookies.clear()
    page = await client.get("/sign-in")
    cookies = read_cookies(page)
    response = await client.post(
        "/sign-in", headers=cookie_header(cookies),
        data={"csrf_token": FORM_TOKEN.search(page.text)[1], "username": username,
              "password": PASSWORD, "next": "/"})
    if response.status_code != 303:
        raise SystemExit(f"{username} could not sign in: {response.status_code} {response.text[:300]}")
    return cookies | read_cookies(response)


def read_cookies(response: httpx.Response) -> dict:
    pairs = (h.split(";", 1)[0].split("=", 1) for h in response.headers.get_list("set-cookie"))
    return {name.strip(): value for name, value in pairs}


def cookie_header(cookies: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def list_api_paths() -> list[str]:
    """The JSON API's GET operations that need no parameter, from its OpenAPI document."""
    from peel.web.app import create_app

    document = create_app(force_name="bench").openapi()
    return [path for path, operations in document["paths"].items()
            if path.startswith("/api/") and "get" in operations
            and not any(p.get("required") for p in operations["get"].get("parameters", []))]


async def run_clients(base: str, cookies: list[dict], paths: list[str], seconds: float, server: serving) -> Result:
    timed: list[tuple[str, float]] = []
    errors: list[str] = []
    load_before, cpu_before = os.getloadavg()[0], server.read_cpu_seconds()
    stop = time.perf_counter() + seconds

    async def one_client(n: int, cookie: dict) -> None:
        async with httpx.AsyncClient(base_url=base, headers=cookie_header(cookie), timeout=TIMEOUT) as client:
            i = n  # clients start at different pages
            while time.perf_counter() < stop:
                path = paths[i % len(paths)]
                i += 1
                t = time.perf_counter()
                try:
                    response = await client.get(path)
                    client.cookies.clear()
                    if response.status_code != 200:
                        errors.append(f"{path}: {response.status_code}")
                except httpx.HTTPError as error:
                    errors.append(f"{path}: {error!r}")
                timed.append((path, time.perf_counter() - t))

    await asyncio.gather(*(one_client(n, c) for n, c in enumerate(cookies)))
    cpu_after = server.read_cpu_seconds()
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Result(paths, timed, errors, seconds, cpu, (load_before, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
