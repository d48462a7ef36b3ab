"""Peak resident memory and run time of each notebook's kernel (the course promises < 2 GB).

Run: python benchmarks/notebook_memory.py [notebooks/0*.ipynb ...] [--quick]
Executes each notebook with nbclient and samples the kernel process's RSS every 0.1 s.
"""
from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path) -> tuple[float, float]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                pid = client.km.provisioner.process.pid
                proc = psutil.Process(pid)
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                peak[0] = max(peak[0], rss)
            except Exception:
                pass
            time.sleep(0.1)

    t0 = time.perf_counter()
    with client.setup_kernel():
        th = threading.Thread(target=sample, daemon=True)
        th.start()
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
        done.set()
    return time.perf_counter() - t0, peak[0] / 2 ** 30


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--quick", action="store_true", help="set CI=true (quick mode) for the kernels")
    args = ap.parse_args(argv)
    if args.quick:
        os.environ["CI"] = "true"
    else:
        os.environ.pop("CI", None)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"mode: {'quick' if args.quick else 'full'}")
    for p in paths:
        seconds, gib = run(p)
        print(f"{p.name:40s} {seconds:7.1f} s   peak kernel RSS {gib:5.2f} GiB", flush=True)


if __name__ == "__main__":
    main()
