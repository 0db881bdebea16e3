"""Mutation testing of zwizard's core against its unit tests: do the tests notice?

    python benchmarks/mutation.py                       # the core modules
    python benchmarks/mutation.py zwizard/plan.py -j 2  # one module, two workers
    python benchmarks/mutation.py --list zwizard/plan.py
    python benchmarks/mutation.py --sample 120 --seed 1   # an estimate in minutes

Each mutant is one small change to one module, of the kinds an audit uses:
a comparison flipped (== / !=, < / >=, in / not in), `and` / `or` swapped, an
integer constant moved by one, a statement deleted, a `return x` turned into
`return None`, a string constant altered. The unit tests run against a copy of
the checkout holding the mutant (subprocesses too, through PYTHONPATH); a mutant
is killed when they fail. Prints the score per module and every survivor with
its line, so a survivor can be turned into a behaviour test.

A whole run is thousands of mutants (hours on two cores); `--sample N` judges N
mutants per module drawn at random (seeded, so a run can be repeated) and gives
the score with its 95% Wilson interval.
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("zwizard/plan.py", "zwizard/rules/__init__.py", "zwizard/rules/guest.py",
        "zwizard/rules/boot.py", "zwizard/rules/secure.py", "zwizard/rules/pxe.py",
        "zwizard/rules/host.py", "zwizard/render/domain.py",
        "zwizard/render/pxe.py", "zwizard/importer/__init__.py",
        "zwizard/importer/reader.py", *sorted(
            str(f.relative_to(ROOT)) for f in (ROOT / "zwizard/parts").glob("*.py")
        ),
        "zwizard/importer/devices.py", "zwizard/structure.py",
        "zwizard/address.py", "zwizard/devices/disk.py", "zwizard/devices/nic.py",
        "zwizard/devices/passthrough.py", "zwizard/devices/channel.py",
        "zwizard/devices/share.py", "zwizard/conversion.py", "zwizard/xmlwrite.py",
        "zwizard/prepare/__init__.py", "zwizard/prepare/steps.py",
        "zwizard/prepare/shell.py", "zwizard/prepare/mdev.py", "zwizard/prepare/vfio_ap.py",
        "zwizard/prepare/vfio_ccw.py", "zwizard/prepare/pci.py",
        "zwizard/prepare/secure_execution.py", "zwizard/prepare/install_server.py",
        "zwizard/prepare/boot.py", "zwizard/output.py", "zwizard/define.py",
        "zwizard/session.py")  # fmt: skip
FLIPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
         ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
         ast.Is: ast.IsNot, ast.IsNot: ast.Is}  # fmt: skip


@dataclass
class Mutant:
    module: str
    line: int
    what: str
    source: str


class _Sites(ast.NodeVisitor):
    """Every place a mutation applies, as (node index in walk order, kind)."""

    def __init__(self) -> None:
        self.sites: list[tuple[int, str]] = []

    def collect(self, tree: ast.AST) -> list[tuple[int, str]]:
        for i, node in enumerate(ast.walk(tree)):
            if isinstance(node, ast.Compare) and type(node.ops[0]) in FLIPS:
                self.sites.append((i, "flip comparison"))
            elif isinstance(node, ast.BoolOp):
                self.sites.append((i, "swap and/or"))
            elif (isinstance(node, ast.Constant) and type(node.value) is int
                  and not isinstance(node.value, bool)):  # fmt: skip
                self.sites.append((i, "constant +1"))
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value
                and " " not in node.value
                and len(node.value) <= 24
            ):
                # names and values (XML names, rule ids, kinds), not message text
                self.sites.append((i, "alter string"))
            elif isinstance(node, ast.Return) and not (
                node.value is None
                or (isinstance(node.value, ast.Constant) and node.value.value is None)
            ):  # `return None` made `return None` would be no mutant at all
                self.sites.append((i, "return None"))
            elif isinstance(node, (ast.Expr, ast.Assign, ast.AugAssign, ast.If)) and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            ):
                self.sites.append((i, "delete statement"))
        return self.sites


def _in_docstring_or_annotation(tree: ast.AST) -> set[int]:
    """Node ids to leave alone: docstrings and type annotations change no behaviour."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        for ann in (getattr(node, "annotation", None), getattr(node, "returns", None)):
            if ann is not None:
                skip.update(id(n) for n in ast.walk(ann))
    return skip


def mutants(module: str) -> list[Mutant]:
    text = (ROOT / module).read_text()
    tree = ast.parse(text)
    skip = _in_docstring_or_annotation(tree)
    out = []
    for index, kind in _Sites().collect(tree):
        copy = ast.parse(text)
        node = list(ast.walk(copy))[index]
        if id(list(ast.walk(tree))[index]) in skip:
            continue
        if kind == "flip comparison":
            node.ops[0] = FLIPS[type(node.ops[0])]()
        elif kind == "swap and/or":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif kind == "constant +1":
            node.value += 1
        elif kind == "alter string":
            node.value = node.value + "_mutant"
        elif kind == "return None":
            node.value = ast.Constant(None)
        elif kind == "delete statement":
            body = next(
                lst
                for p in ast.walk(copy)
                for f in ("body", "orelse", "finalbody")
                if isinstance(lst := getattr(p, f, None), list) and any(x is node for x in lst)
            )
            body[next(i for i, x in enumerate(body) if x is node)] = ast.Pass()
        try:
            source = ast.unparse(copy)
        except Exception:
            continue
        out.append(Mutant(module, getattr(node, "lineno", 0), kind, source))
    return out


def run(mutant: Mutant, tests: list[str], timeout: int) -> bool:
    """True when the tests kill the mutant."""
    with tempfile.TemporaryDirectory(prefix="zwizard-mutant-") as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(ROOT / "zwizard", copy / "zwizard")
        shutil.copytree(ROOT / "tests", copy / "tests")
        shutil.copytree(ROOT / "assets", copy / "assets")
        shutil.copytree(ROOT / "docs", copy / "docs")
        (copy / mutant.module).write_text(mutant.source)
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            r = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                 *tests],
                cwd=copy, env=env, capture_output=True, timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return True  # a mutant that hangs the tests is noticed
        return r.returncode != 0


def judge(mutant: Mutant, args: argparse.Namespace, survivors: list[Mutant]) -> bool:
    killed = run(mutant, args.tests.split(), args.timeout)
    if not killed:  # said at once: a long run stopped early still tells something
        print(f"  survived: {mutant.module}:{mutant.line}: {mutant.what}", flush=True)
        survivors.append(mutant)
    return killed


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% confidence interval of a score measured on a random sample of n mutants."""
    if n == 0:
        return 0.0, 100.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(CORE))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--tests", default="tests/unit", help="what must notice (tests/unit; blank-separated)"
    )
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--list", action="store_true", help="only list the mutants")
    parser.add_argument("--sample", type=int, default=0, help="judge N random mutants per module")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    total_killed = total = 0
    for module in args.modules:
        found = mutants(module)
        print(f"{module}: {len(found)} mutants", flush=True)
        if args.sample and args.sample < len(found):
            found = sorted(random.Random(f"{args.seed}/{module}").sample(found, args.sample),
                           key=lambda m: m.line)  # fmt: skip
            print(f"{module}: judging a random sample of {len(found)}", flush=True)
        if args.list:
            for m in found:
                print(f"{module}:{m.line}: {m.what}")
            continue
        survivors: list[Mutant] = []
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(judge, found, [args] * len(found), [survivors] * len(found)))
        score = 100 * (len(found) - len(survivors)) / max(1, len(found))
        killed = len(found) - len(survivors)
        low, high = wilson(killed, len(found))
        interval = f", 95% interval {low:.0f}-{high:.0f}%" if args.sample else ""
        print(f"{module}: {killed}/{len(found)} killed ({score:.0f}%{interval})", flush=True)
        total_killed += len(found) - len(survivors)
        total += len(found)
    if total:
        print(f"all: {total_killed}/{total} killed ({100 * total_killed / total:.0f}%)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
