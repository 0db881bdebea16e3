"""SIGKILL at random moments of a many-guest run, then the same command again: it
finishes the job, no file is ever half-written, and no temporary file stays."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from lxml import etree

from tests.helpers import ROOT

GUESTS = 200


def make_answers(folder):
    files = []
    for i in range(GUESTS):
        path = folder / f"g{i:03}.toml"
        # no uuid on purpose: a rerun must keep the identity an interrupted run wrote
        path.write_text(
            f'version = 1\n[guest]\nname = "k{i:03}"\n[[disks]]\n'
            f'path = "/var/lib/libvirt/images/k{i:03}.qcow2"\nboot_order = 1\n'
            '[[nics]]\nsource = { network = "default" }\n'
        )
        files.append(str(path))
    return files


def zwizard(files, out):
    return [sys.executable, "-m", "zwizard", "--answers", *files, "-o", str(out), "--no-input"]


def test_killed_runs_leave_no_temp_files_and_a_rerun_finishes(tmp_path):
    files = make_answers(tmp_path)
    out = tmp_path / "out"
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(10):
        proc = subprocess.Popen(zwizard(files, out), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.02, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for xml in out.glob("*.xml") if out.exists() else []:
            etree.parse(str(xml))  # every file there is whole
    r = subprocess.run(zwizard(files, out), env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"k{i:03}.xml" for i in range(GUESTS))  # no temp file either
    uuids = {etree.parse(str(p)).findtext("uuid") for p in out.iterdir()}
    assert len(uuids) == GUESTS
    again = subprocess.run(zwizard(files, out), env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]  # identical output is no conflict


def test_sigterm_mid_write_removes_its_temp_files(tmp_path):
    files = make_answers(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.05, 0.1, 0.15, 0.2, 0.25):
        proc = subprocess.Popen(zwizard(files, out), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        assert not [p for p in out.glob(".*")] if out.exists() else True
