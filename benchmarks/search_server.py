"""The desk's web app served by uvicorn in a process of its own, for the search benchmark.

In one process with its client (`npdesk.testing.server.running_server`), the server's threads
and the client's share one GIL, so every measured request also waits for the client's Python
work and the client for the server's: not what a deployment sees. `npdesk serve` is not used
because it also starts the proposal reader, which would read all 100,000 cables while the
searches are timed."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from npdesk.store.db import make_engine
from npdesk.testing.server import free_port
from npdesk.web.app import create_app


@contextmanager
def separate_server(database_url: str, cache_mb: int | None = None) -> Iterator[str]:
    """Serve `database_url` from a child process (text cache of `cache_mb` MB, default as
    configured); yields its base URL, stops it on exit."""
    port = free_port()
    env = dict(os.environ)
    if cache_mb is not None:
        env["NPDESK_SEARCH_CACHE_MB"] = str(cache_mb)
    command = [sys.executable, "-m", "benchmarks.search_server", database_url, str(port)]
    child = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/login", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("port", type=int)
    args = parser.parse_args(argv)
    app = create_app(make_engine(args.database_url))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
