"""Run the benchmarks: `python -m bench [--quick] [name ...]` (see --help)."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import bigdoc, engine, fidelity, finishing, firstcjk, linear, overhead, progress, split, streams, throughput
from bench.report import DOC, RESULTS, Result, save, stamp, table, write_doc

Benchmark = Callable[[Path, bool], Result]
BENCHMARKS: dict[str, Benchmark] = {
    "overhead": overhead.run,
    "progress": progress.run,
    "streams": streams.run,
    "throughput": throughput.run,
    "bigdoc": bigdoc.run,
    "split": split.run,
    "fidelity": fidelity.run,
    "linear": linear.run,
    "finishing": finishing.run,
    "firstcjk": firstcjk.run,
    "engine": engine.run,
}


def run(names: list[str], quick: bool, workdir: Path, half: str | None = None) -> list[Result]:
    """Run `names` in order, each on a local stack of its own under `workdir` (fidelity: one half, or both)."""
    benchmarks: dict[str, Benchmark] = {**BENCHMARKS, "fidelity": functools.partial(fidelity.run, half=half)}
    results = []
    for name in names:
        load = os.getloadavg()
        print(f"== {name} (load average {load[0]:.2f}) ...", flush=True)
        started = time.monotonic()
        result = stamp(benchmarks[name](workdir / name, quick), started)
        result.load, result.load_after = load, os.getloadavg()
        print(f"   {result.seconds:.1f} s", flush=True)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmarks of the service (issue 5).")
    parser.add_argument("names", nargs="*", metavar="name", help=f"any of {', '.join(BENCHMARKS)}; all by default")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, figures not meaningful")
    parser.add_argument(
        "--no-write", action="store_true", help=f"print only; do not update {RESULTS.name} and {DOC.name}"
    )
    parser.add_argument("--keep", type=Path, help="keep logs of every process under this folder")
    parser.add_argument(
        "--half",
        choices=fidelity.corpus.HALVES,
        help="fidelity only: render one half of its corpus (issue 21), without xhtml2pdf's samples; both by default",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if args.half and args.names != ["fidelity"]:
        parser.error("--half is for the fidelity benchmark alone: `python -m bench fidelity --half held-out`")
    names = args.names or list(BENCHMARKS)
    if args.keep:
        results = run(names, args.quick, args.keep, args.half)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
            results = run(names, args.quick, Path(workdir), args.half)
    print()
    print(table(results))
    for result in results:
        print(f"\n{result.name}:", *result.details, sep="\n")
    if not args.quick and not args.no_write:
        write_doc(save(results), list(BENCHMARKS))
        print(f"\nwrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS} and {DOC}")
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
