"""Host network devices a system test makes for itself: a Linux bridge, an Open vSwitch
bridge on OVS's userspace (netdev) datapath, and a parent link for macvtap. Each is
removed when the test is done; none is shared with another test file (the session's
`bridge` fixture removes its own at teardown)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.system.stack import StackUnavailable, run

RUNDIR = Path("/run/openvswitch")  # where ovs-vsctl, and so libvirt, finds the database
SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")


def vsctl(*args: str, check: bool = True):
    return run("ovs-vsctl", "--timeout=10", *args, check=check)


@contextmanager
def ovs_bridge(name: str, tmp: Path) -> Iterator[str]:
    """An OVS bridge on the userspace datapath (a container has no openvswitch kernel
    module); ovsdb-server and ovs-vswitchd are started here unless they already run,
    and then stopped again."""
    ours: list[Path] = []
    if vsctl("show", check=False).returncode != 0:
        RUNDIR.mkdir(parents=True, exist_ok=True)
        run("ovsdb-tool", "create", str(tmp / "conf.db"), str(SCHEMA))
        ours = [RUNDIR / f"{name}-ovsdb.pid", RUNDIR / f"{name}-vswitchd.pid"]
        run("ovsdb-server", str(tmp / "conf.db"), f"--remote=punix:{RUNDIR}/db.sock",
            f"--pidfile={ours[0]}", "--detach", f"--log-file={tmp}/ovsdb.log")  # fmt: skip
        vsctl("--no-wait", "init")
        run("ovs-vswitchd", f"unix:{RUNDIR}/db.sock", f"--pidfile={ours[1]}", "--detach",
            f"--log-file={tmp}/vswitchd.log")  # fmt: skip
    try:
        vsctl("--may-exist", "add-br", name, "--", "set", "bridge", name,
              "datapath_type=netdev")  # fmt: skip
        yield name
    finally:
        vsctl("--if-exists", "del-br", name, check=False)
        for pidfile in reversed(ours):
            if pidfile.exists():
                os.kill(int(pidfile.read_text()), signal.SIGTERM)


@contextmanager
def linux_bridge(name: str) -> Iterator[str]:
    made = run("ip", "link", "add", name, "type", "bridge", check=False)
    if made.returncode != 0 and "File exists" not in made.stderr:
        raise StackUnavailable(f"cannot make bridge {name}: {made.stderr.strip()}")
    try:
        run("ip", "link", "set", name, "up")
        yield name
    finally:
        run("ip", "link", "del", name, check=False)


@contextmanager
def macvtap_parent(name: str) -> Iterator[str]:
    """A link macvtap interfaces can sit on: a dummy link, or (where the kernel has no
    dummy driver, as in this container: "Unknown device type") one end of a veth pair."""
    run("ip", "link", "del", name, check=False)
    made = run("ip", "link", "add", name, "type", "dummy", check=False)
    if made.returncode != 0:
        made = run("ip", "link", "add", name, "type", "veth", "peer", "name", f"{name}p",
                   check=False)  # fmt: skip
        run("ip", "link", "set", f"{name}p", "up", check=False)
    if made.returncode != 0:
        raise StackUnavailable(f"cannot make a macvtap parent {name}: {made.stderr.strip()}")
    try:
        run("ip", "link", "set", name, "up")
        yield name
    finally:
        run("ip", "link", "del", name, check=False)


# the host side of the answers the property tests draw (tests/system/test_stack_*.py)
BRIDGE = "zsbr-agree"  # a Linux bridge
OVS = "zsovs-agree"  # an Open vSwitch bridge
PARENT = "zsdum0"  # macvtap's parent link


@contextmanager
def agree_links(tmp: Path) -> Iterator[None]:
    with linux_bridge(BRIDGE), ovs_bridge(OVS, tmp), macvtap_parent(PARENT):
        yield
