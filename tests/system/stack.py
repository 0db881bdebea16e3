"""The real libvirt + qemu-system-s390x stack, brought up by the tests themselves.

Recipe: docs/rules.md, section 9. As root with apt, missing Debian
packages are installed; the daemons are started here and stopped again when
the tests end (a daemon that was already running is used and left alone).
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

PACKAGES = [
    "libvirt-daemon-driver-qemu",
    "libvirt-daemon",
    "libvirt-clients",
    "libxml2-utils",
    "qemu-system-misc",
    "qemu-system-x86",  # convert's libvirt oracle defines the x86 inputs as they are (TCG)
    "qemu-utils",
    "iproute2",  # ip link: the Linux bridge the NIC cases of test_libvirt_agrees make
    "dnsmasq-base",  # libvirt networks: DHCP and TFTP (zwizard prepare's install network)
    "iptables",  # libvirt 9.0 sets a network's firewall rules with it
    "mdevctl",  # zwizard prepare's mediated-device command lines, run for real
    "openvswitch-switch",  # an OVS port with a VLAN tag (userspace datapath: no module)
]
COMMANDS = [
    "virsh",
    "libvirtd",
    "virtlogd",
    "virt-xml-validate",
    "qemu-system-s390x",
    "qemu-img",
    "ip",
    "dnsmasq",
    "iptables",
    "mdevctl",
    "ovsdb-tool",
    "ovsdb-server",
    "ovs-vswitchd",
    "ovs-vsctl",
]
URI = "qemu:///system"
CACHE = Path(os.environ.get("ZWIZARD_TEST_CACHE", "/var/cache/zwizard-tests"))
IMAGES = Path("/var/lib/libvirt/images/zwizard-tests")


class StackUnavailable(Exception):
    """The real stack cannot be had here; the message says exactly what is missing."""


def run(
    *cmd: str, check: bool = True, timeout: float = 120, **kw: object
) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=check, **kw)  # type: ignore[call-overload]


def _missing_packages() -> list[str]:
    out = run("dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *PACKAGES, check=False)
    installed = {line.split()[0] for line in out.stdout.splitlines() if line.endswith(" installed")}
    return [p for p in PACKAGES if p not in installed]


def ensure_packages() -> None:
    if not shutil.which("dpkg-query"):
        raise StackUnavailable("no dpkg here: the system tier needs Debian (or Ubuntu)")
    missing = _missing_packages()
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise StackUnavailable(
            f"Debian packages missing: {' '.join(missing)}; run as root (tests/run installs "
            f"them) or: apt-get install -y --no-install-recommends {' '.join(missing)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env, timeout=600)
    run(
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        *missing,
        env=env,
        timeout=1200,
    )
    still = [c for c in COMMANDS if not shutil.which(c, path=os.environ["PATH"] + ":/usr/sbin")]
    if still:
        raise StackUnavailable(f"after installing, still missing: {' '.join(still)}")


def ensure_users() -> None:
    """libvirtd's QEMU driver refuses to start without these (Debian's build)."""
    for group in ("kvm", "libvirt-qemu"):
        if run("getent", "group", group, check=False).returncode != 0:
            run("groupadd", "-r", group)
    if run("getent", "passwd", "libvirt-qemu", check=False).returncode != 0:
        run("useradd", "-r", "-M", "-g", "libvirt-qemu", "-G", "kvm", "libvirt-qemu")


def virsh(*args: str, check: bool = False, timeout: float = 60) -> subprocess.CompletedProcess:
    return run("virsh", "-c", URI, *args, check=check, timeout=timeout)


def _alive() -> bool:
    """A cheap call that needs a working QEMU driver (`virsh version` probes every binary)."""
    try:
        return virsh("list", "--all", "--name", timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


class Daemons:
    """virtlogd + libvirtd, started in the foreground as our children."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.log = CACHE / "libvirtd.out"

    def start(self) -> None:
        if _alive():
            return  # someone else's daemon: use it, leave it running
        if os.geteuid() != 0:
            raise StackUnavailable("libvirtd for qemu:///system must be started as root")
        for d in (
            "/var/log/libvirt/qemu",
            "/run/libvirt",
            "/var/lib/libvirt/qemu",
            "/var/cache/libvirt",
        ):
            Path(d).mkdir(parents=True, exist_ok=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        sbin = lambda name: shutil.which(name, path=os.environ["PATH"] + ":/usr/sbin") or name  # noqa: E731
        self.procs.append(subprocess.Popen([sbin("virtlogd")], stdout=out, stderr=out))
        self.procs.append(subprocess.Popen([sbin("libvirtd")], stdout=out, stderr=out))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _alive():
                return
            if any(p.poll() is not None for p in self.procs):
                break
            time.sleep(0.3)
        tail = Path("/var/log/libvirt/libvirtd.log")
        detail = tail.read_text(errors="replace")[-1500:] if tail.exists() else ""
        self.stop()
        raise StackUnavailable(f"libvirtd did not come up; its log ends with:\n{detail}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()


def s390x_kernel() -> Path:
    """A real Debian s390x kernel image (cached); fetched with apt-get download."""
    found = sorted(glob.glob(str(CACHE / "kernel" / "boot" / "vmlinuz-*")))
    if found:
        return Path(found[-1])
    if os.geteuid() != 0:
        raise StackUnavailable("fetching the s390x kernel needs root (dpkg --add-architecture)")
    if "s390x" not in run("dpkg", "--print-foreign-architectures").stdout.split():
        run("dpkg", "--add-architecture", "s390x")
        run("apt-get", "update", "-qq", timeout=600)
    policy = run("apt-cache", "depends", "linux-image-s390x:s390x", check=False)
    names = [
        line.split()[-1] for line in policy.stdout.splitlines() if "Depends: linux-image-" in line
    ]
    if not names:
        run("apt-get", "update", "-qq", timeout=600)
        policy = run("apt-cache", "depends", "linux-image-s390x:s390x")
        names = [
            line.split()[-1]
            for line in policy.stdout.splitlines()
            if "Depends: linux-image-" in line
        ]
    if not names:
        raise StackUnavailable("Debian's archive offers no linux-image for s390x")
    package = names[0].split(":")[0]
    work = CACHE / "download"
    work.mkdir(parents=True, exist_ok=True)
    run("apt-get", "download", f"{package}:s390x", cwd=work, timeout=900)
    deb = sorted(work.glob(f"{package}_*_s390x.deb"))[-1]
    run("dpkg-deb", "-x", str(deb), str(CACHE / "kernel"), timeout=300)
    deb.unlink()
    found = sorted(glob.glob(str(CACHE / "kernel" / "boot" / "vmlinuz-*")))
    if not found:
        raise StackUnavailable(f"{deb.name} holds no boot/vmlinuz-*")
    return Path(found[-1])


def tiny_initrd() -> bytes:
    """An initramfs (gzipped newc cpio) with one file: enough for the firmware to load."""

    def entry(name: str, data: bytes, mode: int) -> bytes:
        fields = [1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
        head = b"070701" + b"".join(f"{v:08X}".encode() for v in fields)
        blob = head + name.encode() + b"\0"
        blob += b"\0" * (-len(blob) % 4) + data
        return blob + b"\0" * (-len(blob) % 4)

    archive = entry("README", b"zwizard test initrd\n", 0o100644) + entry("TRAILER!!!", b"", 0)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(archive)
    return buf.getvalue()
