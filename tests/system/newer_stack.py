"""A second real stack: Debian 13's libvirt 11 and QEMU 10, in a chroot of their own.

The chroot is built with debootstrap from Debian's archive and cached beside the s390x
kernel (CACHE/trixie-stack, complete once it holds MARKER). Its libvirtd runs in a
network, mount and PID namespace of its own (unshare): its sockets sit on a private
/run, its bridges and the default network's subnet do not meet the host daemon's, and
when the namespace's first process dies every process in it goes too.

`Older` (the host's Debian 12 daemon) and `Newer` (this one) answer the same calls, so a
test can do one thing on both and compare what they said.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.system.stack import CACHE, IMAGES, StackUnavailable, run, virsh

SUITE = "trixie"
MIRROR = os.environ.get("ZWIZARD_DEBIAN_MIRROR", "http://deb.debian.org/debian")
ROOT = CACHE / "trixie-stack"
MARKER = ROOT / ".zwizard-complete"
PACKAGES = [
    "libvirt-daemon",
    "libvirt-daemon-driver-qemu",
    "libvirt-daemon-driver-network",  # <tftp>/<bootp> networks for the fallback netboot
    "libvirt-clients",
    "qemu-system-s390x",  # with s390-ccw.img and s390-netboot.img
    "qemu-utils",
    "dnsmasq-base",
    "nftables",  # libvirt 11's network firewall backend
    "iproute2",
    "virtiofsd",  # tcg-lab's share (Debian 12 has it in qemu-system-common)
]
# what libvirt 11 must be told to run in a chroot: no users, cgroups or per-guest /dev
QEMU_CONF = """\
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
"""
# the namespace's PID 1: starts the daemons and reaps what they leave (QEMU's probes
# and guests are daemonised, so they are re-parented to it); exits with libvirtd
INIT = r"""
system("ip", "link", "set", "lo", "up");
system("mkdir", "-p", "/run/libvirt", "/var/log/libvirt/qemu", "/var/lib/libvirt/qemu",
       "/var/cache/libvirt", "/var/lib/zwn");
exec("/usr/sbin/virtlogd") unless fork;
my $daemon = fork;
exec("/usr/sbin/libvirtd") unless $daemon;
while ((my $pid = wait) != -1) { exit 0 if $pid == $daemon }
"""
WORK = "/var/lib/zwn"  # inside the chroot: images, consoles, TFTP roots


def build_chroot() -> Path:
    """The cached chroot, built first when it is missing or was left half-built."""
    stamp = f"{SUITE} {' '.join(PACKAGES)}\n"
    if MARKER.exists() and MARKER.read_text() == stamp:
        return ROOT
    if os.geteuid() != 0:
        raise StackUnavailable("building the Debian 13 chroot needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not shutil.which("debootstrap", path=os.environ["PATH"] + ":/usr/sbin"):
        got = run("apt-get", "install", "-y", "-qq", "debootstrap", check=False, env=env)
        if got.returncode != 0:  # stale package lists
            run("apt-get", "update", "-qq", check=False, env=env, timeout=600)
            got = run("apt-get", "install", "-y", "-qq", "debootstrap", check=False, env=env)
        if got.returncode != 0:
            raise StackUnavailable(f"cannot install debootstrap: {got.stderr[-500:]}")
    tmp = ROOT.with_name(ROOT.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(ROOT, ignore_errors=True)
    # packages that pull in systemd break debootstrap's --include: install them after
    steps = [
        ["debootstrap", "--variant=minbase", SUITE, str(tmp), MIRROR],
        ["chroot", str(tmp), "apt-get", "install", "-y", "-q", "--no-install-recommends",
         *PACKAGES],
        ["chroot", str(tmp), "apt-get", "clean"],
    ]  # fmt: skip
    for i, cmd in enumerate(steps):
        if i == 1:
            policy = tmp / "usr/sbin/policy-rc.d"  # no service starts while installing
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
        done = run(*cmd, check=False, timeout=900, env=env)
        if done.returncode != 0:
            raise StackUnavailable(
                f"{' '.join(cmd[:3])} failed: {(done.stdout + done.stderr)[-1500:]}"
            )
    (tmp / "etc/libvirt/qemu.conf").write_text(QEMU_CONF)
    tmp.rename(ROOT)
    MARKER.write_text(stamp)
    return ROOT


def _die_with_parent() -> None:
    """unshare gets SIGKILL should pytest itself be killed: the namespace goes with it."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Older:
    """Debian 12's stack: the host's libvirtd (the `stack` fixture's)."""

    label = "libvirt 9.0 / QEMU 7.2"
    root = Path("/")
    work = str(IMAGES)  # images, consoles, TFTP roots, as the daemon names them

    def virsh(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return virsh(*args, timeout=timeout)

    def host_path(self, path: str) -> Path:
        """Where the test reads or writes a path the daemon sees."""
        return self.root / path.lstrip("/")

    def qemu_log(self, name: str) -> str:
        log = self.host_path(f"/var/log/libvirt/qemu/{name}.log")
        return log.read_text(errors="replace") if log.exists() else ""

    def define(self, xml: str, name: str) -> tuple[bool, str]:
        path = self.host_path(f"{self.work}/{name}.define.xml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(xml)
        r = self.virsh("define", "--validate", f"{self.work}/{name}.define.xml")
        return r.returncode == 0, (r.stdout + r.stderr).strip()

    def start(self, name: str) -> tuple[bool, str]:
        r = self.virsh("start", name)
        return r.returncode == 0, (r.stdout + r.stderr).strip()

    def cleanup(self, name: str) -> None:
        self.virsh("destroy", name)
        self.virsh("undefine", name, "--nvram")
        self.virsh("undefine", name)

    def net_create(self, xml: str, name: str) -> tuple[bool, str]:
        self.virsh("net-destroy", name)
        path = self.host_path(f"{self.work}/{name}.net.xml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(xml)
        r = self.virsh("net-create", f"{self.work}/{name}.net.xml")
        return r.returncode == 0, (r.stdout + r.stderr).strip()

    def ip(self, *args: str) -> subprocess.CompletedProcess:
        return run("ip", *args, check=False)


class Newer(Older):
    """Debian 13's stack: the chroot's libvirtd in namespaces of its own."""

    label = "libvirt 11 / QEMU 10 (Debian 13 chroot)"
    work = WORK

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen | None = None
        self.pid = 0  # the namespace's first process, as the host sees it
        self.log = CACHE / "trixie-libvirtd.out"

    def start_daemon(self) -> None:
        r = str(self.root)
        (self.root / "zwn-init.pl").write_text(INIT)
        script = f"""
set -e
mount --bind {r} {r}
mount -t proc proc {r}/proc
mount -t sysfs sysfs {r}/sys
mount --rbind /dev {r}/dev
mount -t tmpfs tmpfs {r}/run
mount -t tmpfs tmpfs {r}/tmp
exec chroot {r} /usr/bin/perl /zwn-init.pl
"""
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            ["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child",
             "--propagation", "private", "sh", "-c", script],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out, preexec_fn=_die_with_parent,
        )  # fmt: skip
        # up means able to name its hypervisor: 'list' answers before the QEMU driver has
        # probed QEMU, and a 'version' then failed once in CI under load
        deadline = time.monotonic() + 120
        kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        while time.monotonic() < deadline and self.proc.poll() is None:
            if not self.pid and kids.exists() and kids.read_text().strip():
                self.pid = int(kids.read_text().split()[0])
            # until the first process has chrooted it is the sh doing the mounts, and a
            # virsh entering its root reaches the host's libvirt 9.0 through the copied
            # /run: that answered 'version' once in CI and the tests then met no socket
            if self.pid and self._chrooted():
                try:
                    got = self.virsh("version", timeout=30)
                    if got.returncode == 0 and "Running hypervisor" in got.stdout:
                        return
                except subprocess.TimeoutExpired:
                    pass
            time.sleep(0.5)
        self.stop_daemon()
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        raise StackUnavailable(f"the Debian 13 libvirtd did not come up:\n{tail}")

    def _chrooted(self) -> bool:
        try:
            return os.readlink(f"/proc/{self.pid}/root") == str(self.root.resolve())
        except OSError:
            return False

    def stop_daemon(self) -> None:
        if self.proc is None:
            return
        if self.pid and self.proc.poll() is None:
            for name in self.virsh("list", "--name", timeout=30).stdout.split():
                self.virsh("destroy", name, timeout=30)
        # unshare ignores SIGTERM; killed, it takes the namespace's init (--kill-child)
        # and with it every process in the namespace
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc = None
        self.pid = 0

    def enter(self, *cmd: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a command of the chroot's inside the daemon's namespaces and root."""
        return run(
            "nsenter", "-t", str(self.pid), "-m", "-n", "-p", "-r", "-w", *cmd,
            check=False, timeout=timeout,
        )  # fmt: skip

    def virsh(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return self.enter("virsh", "-c", "qemu:///system", *args, timeout=timeout)

    def ip(self, *args: str) -> subprocess.CompletedProcess:
        return self.enter("ip", *args)

    def version(self) -> str:
        return self.virsh("version").stdout
