"""`make demo`: for now, parse the seed cable and print it."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.pretty import Pretty

from npdesk.cables import parse_cable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--db", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    seed = Path(args.shared) / "seeds" / "000_b040fb51b219b52c.txt"
    Console().print(Pretty(parse_cable(seed.read_text(encoding="utf-8")).to_dict()))


if __name__ == "__main__":
    main()
