"""Run every benchmark module named in BENCHMARKS and print its report."""

from __future__ import annotations

import argparse
import importlib

BENCHMARKS: list[str] = ["bench_parse", "bench_store", "screening", "bench_extract", "bench_cases"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("only", nargs="*", help="run only these benchmark modules")
    args = parser.parse_args()
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        module.main(["--shared", args.shared])


if __name__ == "__main__":
    main()
