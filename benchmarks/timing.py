"""Shared by the benchmark scripts: wall-clock times of repeated calls (report medians, not single runs)."""
import time


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out
