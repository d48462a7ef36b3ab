"""Record what the course prints and draws, to compare two versions of the code (e.g. before and after a
refactor of the OIP engine): every notebook's text output in quick mode, and the images the commands write.

    python benchmarks/record_outputs.py record OUT_DIR [--only 06 07] [--no-cli]
    python benchmarks/record_outputs.py compare BEFORE_DIR AFTER_DIR

``record`` executes the solution notebooks with nbclient (CI=true, as CI does) and keeps, per code cell,
the printed text (streams and text/plain results; widgets and figures are left out), then runs the
commands of README's "Command line" section with small step counts and keeps their PNGs.
``compare`` lines the two records up cell by cell: identical cells are counted; for the others it prints
both versions with the largest relative difference between the numbers they print (so float32 rounding
shows as 1e-6, a real change as more). The PNGs are compared pixel by pixel (max |difference| of 0..255).
Run it from the checkout whose code you want to record (it imports ``helpers`` from there).
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
COMMANDS = {
    "oip": ["oip", "--map", "120", "--steps", "200", "--seed", "1"],
    "oip_plain": ["oip", "--map", "5", "--steps", "100", "--no-precursor", "--seed", "2"],
    "gallery": ["gallery", "--layer", "Conv2D_1", "--steps", "100", "--variant", "raw"],
    "perfect_digits": ["perfect-digits", "--steps", "200"],
    "dream": ["dream", "default", "--map", "70", "--iterations", "2", "--steps", "10", "--size", "112"],
}


def _cell_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result",):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" not in data:
                parts.append(data.get("text/plain", ""))
        elif out.get("output_type") == "error":
            parts.append(f"ERROR {out.get('ename')}: {out.get('evalue')}")
    return "".join(parts)


def record_notebooks(out_dir: Path, only) -> None:
    import nbformat
    from nbclient import NotebookClient

    env = dict(os.environ, CI="true", MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3")
    os.environ.update(env)
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if only and path.name[:2] not in only:
            continue
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=1200, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
        cells = [{"source": c.source[:200], "text": _cell_text(c)} for c in nb.cells if c.cell_type == "code"]
        (out_dir / f"{path.stem}.json").write_text(json.dumps(cells, indent=1))
        print(f"{path.name}: {len(cells)} code cells", flush=True)


def record_commands(out_dir: Path) -> None:
    env = dict(os.environ, CI="true", MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3")
    for name, args in COMMANDS.items():
        out = out_dir / f"cli_{name}.png"
        subprocess.run([sys.executable, "-m", "helpers", *args, "--out", str(out), "--overwrite"], check=True,
                       env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"command {name}: {out.name}", flush=True)


NOISE = re.compile(r"^(WARNING: All log messages|I0000 |\[IPKernelApp\])")


def _lines(text: str) -> list[str]:
    """The printed lines without TensorFlow's start-up chatter on stderr."""
    return [line for line in text.splitlines() if not NOISE.match(line)]


def _numbers(text: str) -> list[float]:
    return [float(m) for m in NUMBER.findall(text)]


def compare(before: Path, after: Path) -> int:
    import numpy as np
    from PIL import Image

    changed = 0
    for a_path in sorted(before.glob("*.json")):
        b_path = after / a_path.name
        if not b_path.exists():
            print(f"{a_path.stem}: missing in {after}")
            changed += 1
            continue
        a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
        same = sum(x["text"] == y["text"] for x, y in zip(a, b))
        print(f"\n== {a_path.stem}: {same} of {len(a)} cells print the same"
              + (f" (after has {len(b)} cells)" if len(a) != len(b) else ""))
        for k, (x, y) in enumerate(zip(a, b)):
            lx, ly = _lines(x["text"]), _lines(y["text"])
            if lx == ly:
                continue
            changed += 1
            print(f"cell {k} ({x['source'].splitlines()[0][:80] if x['source'] else ''}):")
            if "getsource" in x["source"]:
                print(f"  prints helpers' source code: {len(lx)} lines before, {len(ly)} after (read the diff of the code)")
                continue
            removed = [line for line in difflib.ndiff(lx, ly) if line[:2] in ("- ", "+ ")]
            for before_line, after_line in zip(removed[::2], removed[1::2]):   # the lines that differ, in pairs
                nx, ny = _numbers(before_line[2:]), _numbers(after_line[2:])
                rel = (max((abs(p - q) / max(abs(p), abs(q), 1e-12) for p, q in zip(nx, ny)), default=0.0)
                       if len(nx) == len(ny) else float("nan"))
                print(f"  {before_line[:160]}\n  {after_line[:160]}\n    (largest relative difference of "
                      f"the numbers: {rel:.1e})")
            if len(removed) % 2:
                print(f"  {removed[-1][:160]}")
    for a_path in sorted(before.glob("cli_*.png")):
        b_path = after / a_path.name
        xa = np.asarray(Image.open(a_path).convert("L"), np.int16)
        xb = np.asarray(Image.open(b_path).convert("L"), np.int16) if b_path.exists() else None
        if xb is None or xa.shape != xb.shape:
            print(f"{a_path.name}: missing or another size")
            changed += 1
            continue
        diff = np.abs(xa - xb)
        print(f"{a_path.name}: max |pixel difference| {diff.max()} of 255, {np.mean(diff > 0):.2%} of pixels differ")
    return changed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out_dir")
    rec.add_argument("--only", nargs="*", help="notebook numbers, e.g. 06 07")
    rec.add_argument("--no-cli", action="store_true")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    args = ap.parse_args()
    if args.what == "record":
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        record_notebooks(out, args.only)
        if not args.no_cli:
            record_commands(out)
        return 0
    compare(Path(args.before), Path(args.after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
