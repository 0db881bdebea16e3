"""The PXE files zwizard writes, netbooted by the real s390-ccw firmware.

QEMU's user-mode network serves a TFTP root holding our pxelinux.cfg/ and a
real Debian s390x kernel; the guest boots from a virtio-net-ccw NIC with the
MAC from our XML. Proof is what the firmware and the kernel print.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import ASSETS
from tests.system.conftest import unavailable
from tests.system.guests import render_example
from tests.system.stack import StackUnavailable, s390x_kernel, tiny_initrd
from zwizard.answers import load

PXE_EXAMPLES = [p for p in sorted(ASSETS.glob("*.toml")) if load(p)[0].pxe.enabled]


@pytest.fixture(scope="session")
def kernel(stack) -> Path:
    try:
        return s390x_kernel()
    except (StackUnavailable, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        unavailable(f"no s390x kernel: {exc} {detail}")
        raise


def netboot(tftp: Path, mac: str, bootfile: str, memory_mib: int, timeout: float = 120) -> str:
    """Boot qemu-system-s390x from the network; returns the console once the kernel
    has printed its command line (or whatever was printed when time ran out)."""
    console = tftp.parent / "console.txt"
    with console.open("wb") as out:
        proc = subprocess.Popen(
            [
                "qemu-system-s390x", "-M", "s390-ccw-virtio", "-nographic", "-no-reboot",
                "-m", str(memory_mib), "-nodefaults", "-serial", "stdio",
                "-netdev", f"user,id=n0,tftp={tftp},bootfile={bootfile}",
                "-device", f"virtio-net-ccw,netdev=n0,bootindex=1,mac={mac}",
            ],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None:
                text = console.read_text(errors="replace")
                if "Kernel command line:" in text and text.rstrip().count("\n") > 40:
                    break
                time.sleep(0.25)
        finally:
            proc.kill()
            proc.wait()
    return console.read_text(errors="replace")


def kernel_cmdline(console: str) -> str:
    for line in console.splitlines():
        if "Kernel command line:" in line:
            return line.split("Kernel command line:", 1)[1].strip()
    return ""


@pytest.mark.parametrize("path", PXE_EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("served", ["per-mac", "default", "dhcp-bootfile"])
def test_firmware_netboots_our_pxe_file(kernel, report, tmp_path, path, served):
    answers, _ = load(path)
    xml_name, files = render_example(path)
    mac = etree.fromstring(files[xml_name].encode()).xpath("//interface[boot]/mac/@address")[0]
    per_mac = f"pxelinux.cfg/01-{mac.replace(':', '-')}"
    assert per_mac in files and "pxelinux.cfg/default" in files

    tftp = tmp_path / "tftp"
    for rel, text in files.items():
        if rel.startswith("pxelinux.cfg/"):
            (tftp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tftp / rel).write_text(text)
    if served == "default":
        (tftp / per_mac).unlink()
    (tftp / answers.pxe.kernel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kernel, tftp / answers.pxe.kernel)
    (tftp / answers.pxe.initrd).parent.mkdir(parents=True, exist_ok=True)
    (tftp / answers.pxe.initrd).write_bytes(tiny_initrd())

    # With "dhcp-bootfile" our file *is* the DHCP bootfile: the firmware must
    # recognise it as pxelinux by its "# pxelinux" header, not run it as a kernel.
    bootfile = "pxelinux.cfg/default" if served == "dhcp-bootfile" else "pxelinux.0"
    console = netboot(tftp, mac, bootfile, answers.guest.memory_mib)

    picked = {"per-mac": per_mac, "default": "pxelinux.cfg/default"}.get(served)
    if picked:
        assert f"TFTP: Received {picked} (" in console, console[-3000:]
    assert f"Loading pxelinux.cfg entry '{answers.pxe.label}'" in console, console[-3000:]
    assert f"TFTP: Received {answers.pxe.kernel} (" in console
    assert f"TFTP: Received {answers.pxe.initrd} (" in console
    expected = files["pxelinux.cfg/default"].splitlines()[-1].removeprefix("append ")
    assert kernel_cmdline(console) == expected, console[-3000:]
    report(path.stem, "netboot", served)
