"""Host network devices a system test makes for itself: a Linux bridge, an Open vSwitch
bridge on OVS's userspace (netdev) datapath, a parent link for macvtap, and libvirt
networks (named zs-…) on them. Each is
removed when the test is done; none is shared with another test file (the session's
`bridge` fixture removes its own at teardown)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.system.stack import StackUnavailable, run, virsh

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


# libvirt networks on those links, defined (and all but one started) by the property tests:
# each a different way libvirt connects a NIC of type='network'
NET_BRIDGE = "zs-agree-br"  # <forward mode='bridge'> onto the Linux bridge: a tap on it
NET_OVS = "zs-agree-ovs"  # onto the Open vSwitch bridge, <virtualport type='openvswitch'>
NET_DIRECT = "zs-agree-direct"  # a macvtap pool on the parent link: the NICs become macvtaps
NET_OWN = "zs-agree-own"  # an isolated network with a bridge of its own and an MTU (9000)
NET_DOWN = "zs-agree-down"  # defined, never started (zwizard warns: host-network)
NET_ABSENT = "zs-agree-absent"  # never defined (zwizard refuses: host-network)
OWN_BRIDGE = "zsbr-own"
NETWORKS = {
    NET_BRIDGE: f"<forward mode='bridge'/><bridge name='{BRIDGE}'/>",
    NET_OVS: f"<forward mode='bridge'/><bridge name='{OVS}'/><virtualport type='openvswitch'/>",
    NET_DIRECT: f"<forward mode='bridge'><interface dev='{PARENT}'/></forward>",
    # no DNS: libvirt starts no dnsmasq for it
    NET_OWN: f"<bridge name='{OWN_BRIDGE}' stp='on' delay='0'/><mtu size='9000'/>"
    "<dns enable='no'/><ip address='192.168.251.1' netmask='255.255.255.0'/>",
    NET_DOWN: f"<forward mode='bridge'/><bridge name='{BRIDGE}'/>",
}


def _drop_network(name: str) -> None:
    virsh("net-destroy", "--network", name)
    virsh("net-undefine", "--network", name)


@contextmanager
def libvirt_networks(tmp: Path) -> Iterator[dict[str, str]]:
    """The libvirt networks above, defined and (but NET_DOWN) started; removed afterwards,
    with any left by an earlier run removed first."""
    made: list[str] = []
    try:
        for name, body in NETWORKS.items():
            _drop_network(name)
            path = tmp / f"{name}.net.xml"
            path.write_text(f"<network><name>{name}</name>{body}</network>")
            r = virsh("net-define", "--file", str(path))
            if r.returncode != 0:
                raise StackUnavailable(f"cannot define network {name}: {r.stderr.strip()}")
            made.append(name)
            if name != NET_DOWN:
                r = virsh("net-start", "--network", name)
                if r.returncode != 0:
                    raise StackUnavailable(f"cannot start network {name}: {r.stderr.strip()}")
        yield NETWORKS
    finally:
        for name in reversed(made):
            _drop_network(name)


@contextmanager
def agree_links(tmp: Path) -> Iterator[None]:
    with (
        linux_bridge(BRIDGE),
        ovs_bridge(OVS, tmp),
        macvtap_parent(PARENT),
        libvirt_networks(tmp),
    ):
        yield
