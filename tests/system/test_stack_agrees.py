"""The real stack as the oracle for the answers (issue 24, point 1): hypothesis draws
answers across the schema, with values biased to the edges; whatever zwizard accepts is
written, `virsh define --validate`d and started (paused, under TCG), then destroyed and
undefined. Its NICs sit where the answers put them, on links made here
(tests/system/netdevs.py): a Linux bridge, an Open vSwitch bridge (ports with VLAN tags),
a macvtap parent (every macvtap mode, several NICs on one parent) and libvirt networks on
them (a tap on a bridge, an OVS port, a macvtap pool, an isolated network with its own
bridge and MTU, one defined but not started, one never defined). Drawn too: memory backing
(huge pages, locked, KSM, the balloon, memtune), virtiofs shares, passthrough (vfio-ap,
vfio-ccw, PCI with zPCI ids, SCSI), Secure Execution, channels, consoles, VNC, virtio-rng,
vsock, direct kernel boot, clock, fixed ccw addresses and [target]. A refusal by libvirt or
QEMU that zwizard did not foresee fails with the stack's own words and the example.

What this machine cannot run (no KVM, no IBM Z: Secure Execution, vfio, SCSI devices; no
hugetlbfs, no vhost-vsock, no CAP_SYS_RESOURCE) is still drawn, as `define --validate` judges
its XML: a guest that needs IBM Z (passthrough, Secure Execution) is judged as one for
another host (its host findings are warnings) and is domain type kvm where it must be;
the stack's refusal for a reason of this machine is recognised by its words (ENVIRONMENT),
counted by reason, and never taken as a pass or a missed rule.

Bounded in CI (derandomized, no shrinking, STACK_EXAMPLES, 150 by default: about 1.5 minutes);
a developer's longer run: `STACK_EXAMPLES=500 STACK_RANDOM=1 tests/run
tests/system/test_stack_agrees.py`.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.helpers import data
from tests.system.conftest import unavailable
from tests.system.guests import runnable_copy, stack_verdict
from tests.system.netdevs import (
    BRIDGE,
    NET_ABSENT,
    NET_BRIDGE,
    NET_DIRECT,
    NET_DOWN,
    NET_OVS,
    NET_OWN,
    OVS,
    PARENT,
    agree_links,
)
from tests.system.stack import IMAGES, StackUnavailable, run
from zwizard.answers import AnswersError, from_data
from zwizard.build import build
from zwizard.cpu_models import CPU_MODELS
from zwizard.vocabulary import DIRECT_MODES

EXAMPLES = int(os.environ.get("STACK_EXAMPLES", "150"))
NAME = "zs-agree"
# the words of a refusal that is this machine's, not the guest's, each as libvirt 9.0 /
# QEMU 7.2 say it here [seen]: no KVM or IBM Z (Secure Execution, vfio-ap/vfio-ccw, PCI
# passthrough), no such SCSI device, no hugetlbfs mounted, no /dev/vhost-vsock in the
# container, and raising RLIMIT_MEMLOCK (io_uring, locked memory) needs CAP_SYS_RESOURCE,
# which a container lacks (tests/system/test_more_options.py)
ENVIRONMENT = (
    "does not support virt type 'kvm'",
    "S390 PV launch security is not supported with this QEMU binary",
    "Mediated host device assignment requires VFIO support",
    "host doesn't support passthrough of host PCI devices",
    "host doesn't support VFIO PCI passthrough",  # the same, with driver vfio stated
    "/scsi_generic': No such file or directory",
    "hugetlbfs filesystem is not mounted",
    "unable to open vhost-vsock device",
    "cannot limit locked memory",
)
SEEN: Counter[str] = Counter()
RULES: Counter[str] = Counter()  # the rules behind zwizard's refusals, for the figures
# a warning that foresees a failed start: a memtune hard_limit at or under the guest's
# memory ("the kernel kills it at the limit"), which QEMU may or may not survive at start
FORESEEN_BY_WARNING = {"memtune"}
# a warning that foresees exactly this refusal at start: a libvirt network defined, not
# started (host-network: "virsh net-start"); libvirt: "network '…' is not active"
# and a CPU model this host cannot run, in a guest judged for another host (host-cpu-model),
# and a versioned machine type newer than this QEMU in such a guest (machine-removed warns)
FORESEEN_WORDS = {
    "host-network": "is not active",
    "host-cpu-model": "is not supported by hypervisor",
    "machine-removed": "does not support machine type",
}

edge_ints = st.sampled_from
BACKING = IMAGES / "zs-base.qcow2"  # a disk's backing file, made here
# the images further down a backing chain, each drawn with its own format
BELOW = [(IMAGES / "zs-base2.qcow2", "qcow2"), (IMAGES / "zs-base3.img", "raw")]


def rarely(strategy: st.SearchStrategy, one_in: int = 4) -> st.SearchStrategy:
    """None mostly, else a draw: sections that would otherwise make most examples refused."""
    return st.one_of(*([st.none()] * (one_in - 1)), strategy)


# what the stack refused of what zwizard accepted: its words (less the time stamps and
# process ids of QEMU's log line) -> the first example, answers and XML; the test fails
# at the end with one example of each, so one run shows every disagreement it met
DISAGREED: dict[str, tuple[str, dict, str]] = {}


def disagreements() -> str:
    return "\n\n".join(
        f"zwizard accepted, the stack refused:\n{said}\n\nanswers: {raw}\n\nXML:\n{xml}"
        for said, raw, xml in DISAGREED.values()
    )


def sometimes(one_in: int) -> st.SearchStrategy[bool]:
    """True in about one draw of one_in (False is what hypothesis draws first and most)."""
    return st.sampled_from([False] * (one_in - 1) + [True])


def environment(said: str) -> str | None:
    """The ENVIRONMENT words in the stack's refusal, if it is this machine's."""
    return next((words for words in ENVIRONMENT if words in said), None)


def pick(edgy: bool, valid: list, edges: list = ()) -> st.SearchStrategy:  # type: ignore[assignment]
    """One of the valid values, or in an edgy example one of the edges too (what zwizard
    should refuse, or the stack may): half the examples keep to valid values, so that
    many reach the stack at all."""
    return st.sampled_from(list(valid) + (list(edges) if edgy else []))


def disks(edgy: bool) -> st.SearchStrategy[list[dict]]:
    disk = st.fixed_dictionaries(
        {"path": st.just("")},
        optional={
            "format": pick(edgy, ["qcow2", "raw"]),
            "cache": pick(edgy, ["none", "writethrough", "writeback", "directsync", "unsafe"]),
            "io": pick(edgy, ["threads", "io_uring"], ["native"]),
            "discard": pick(edgy, ["unmap", "ignore"]),
            "detect_zeroes": pick(edgy, ["off", "on"], ["unmap"]),
            "error_policy": pick(edgy, ["stop", "report", "ignore", "enospace"]),
            "rerror_policy": pick(edgy, ["stop", "report", "ignore"]),
            "iothread": pick(edgy, [1], [0, 2, 5]),
            "queues": pick(edgy, [1, 2, 16, 1024], [1025]),
            "serial": st.text(
                st.sampled_from("AZaz09_.+-" + (" /," if edgy else "")),
                min_size=0 if edgy else 1,
                max_size=24 if edgy else 20,
            ),
            "loadparm": pick(edgy, ["1", "PROMPT", "SYS1", "12345678"], [" ", "a.b"]),
        },
    )
    # more of a disk, in some disks only: the device, its name and address, read-only, a
    # backing file stated
    more = st.fixed_dictionaries(
        {},
        optional={
            # a CD-ROM on virtio-scsi; a LUN of a file (libvirt wants a block device)
            "device": pick(edgy, ["disk", "cdrom"], ["lun"]),
            "readonly": st.booleans(),
            "target": pick(edgy, ["vda", "vdb", "sda", "hda"], ["vdz", "xvda", "sdaa"]),
            "ccw": pick(edgy, ["fe.0.0010", "0xfe.0x0.0x0011", "fe.3.ffff"],
                        ["fe.0.0010", "fe.4.0001", "0.0.0012"]),
            "backing": pick(edgy, [str(BACKING)], ["relative.img"]),
            "backing_format": pick(edgy, ["qcow2", "raw"]),
            "backing_chain": st.lists(
                pick(edgy, [{"path": str(p), "format": f} for p, f in BELOW],
                     [{"path": "relative.img"}]),
                min_size=1, max_size=2, unique_by=lambda level: level["path"],
            ),
            # a SCSI disk's stated place (a converted guest's), on a CD-ROM or not
            "drive": pick(edgy, ["0:0:2:0", "0:0:0:7", "0:0:99:16383"],
                        ["0:1:0:0", "1:0:0:0", "0:0:100:0", "0:0:0:16384"]),
        },
    )  # fmt: skip
    disk = st.builds(lambda d, m: {**d, **(m or {})}, disk, rarely(more, one_in=3))
    return st.lists(disk, min_size=1, max_size=3)


def nics(edgy: bool) -> st.SearchStrategy[list[dict]]:
    source = st.one_of(
        st.fixed_dictionaries({"source": st.just({"bridge": BRIDGE})}),
        # an Open vSwitch port (a VLAN tag needs one), now and then on the Linux bridge
        st.fixed_dictionaries(
            {"source": pick(edgy, [{"bridge": OVS}], [{"bridge": BRIDGE}]),
             "virtualport": st.just("openvswitch")},
        ),
        # macvtap on the parent link, in every mode (two on one parent: modes that clash)
        st.fixed_dictionaries(
            {"source": st.builds(
                lambda mode: {"direct": PARENT, **({"mode": mode} if mode else {})},
                st.sampled_from([None, *DIRECT_MODES]))},
        ),
        # a libvirt network made here: each kind libvirt connects (tap on a bridge, OVS
        # port, macvtap pool, a bridge of its own), one not started, one not defined; OVS
        # ports said or not (libvirt takes the network's virtualport)
        st.fixed_dictionaries(
            {"source": pick(edgy, [NET_BRIDGE, NET_OVS, NET_DIRECT, NET_OWN],
                            [NET_DOWN, NET_ABSENT]).map(lambda n: {"network": n})},
            optional={"virtualport": st.just("openvswitch")},
        ),
        # QEMU's own user networking (SLIRP), as libvirt's own s390x test guests have it
        st.fixed_dictionaries({"source": st.just({"user": True})}),
    )  # fmt: skip
    nic = source.flatmap(
        lambda base: st.fixed_dictionaries(
            {k: st.just(v) for k, v in base.items()},
            optional={
                "mtu": pick(edgy, [68, 1500, 9000, 65521], [67, 65522]),
                "queues": pick(edgy, [1, 4, 256], [257]),
                "target": pick(edgy, ["zs-tap0", "zs-tap1", "zs" + "x" * 13]),
                "mac": pick(edgy, ["52:54:00:aa:bb:01", "02:00:00:00:00:0f"]),
                "vlan": pick(edgy, [0, 1, 42, 4095], [4096]),  # on any source: only OVS takes one
                "trunk": st.lists(pick(edgy, [0, 2, 42, 4095], [4096]), min_size=1, max_size=3),
                "interfaceid": pick(edgy, ["09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f"], ["not-a-uuid"]),
                "ccw": pick(edgy, ["fe.0.0020", "fe.0.0021"], ["fe.0.0010"]),
                "backend": st.sampled_from(["vhost", "qemu"]),
            },
        )
    )
    return st.lists(nic, min_size=0, max_size=3)


def memory(edgy: bool) -> st.SearchStrategy[dict]:
    """Memory backing, memtune and the balloon (the [memory] table)."""
    return st.fixed_dictionaries(
        {},
        optional={
            "hugepages": st.booleans(),
            "nosharepages": st.booleans(),
            "locked": st.booleans(),
            "hotplug": pick(edgy, [False], [True]),  # no-mem-hotplug
            "balloon": st.booleans(),
            "balloon_autodeflate": st.booleans(),
            "balloon_stats_period": pick(edgy, [1, 10], [0, 2**31]),
            "hard_limit_mib": pick(edgy, [8192], [1, 512, 1024]),
            "soft_limit_mib": pick(edgy, [512, 1024, 8192], [1]),
            "swap_hard_limit_mib": pick(edgy, [8192], [1, 512, 1024]),
        },
    )


def shares(edgy: bool) -> st.SearchStrategy[list[dict]]:
    """virtiofs shares; the source is a directory runnable_copy makes, named by the tag (so
    no '/' in a tag: it would name a directory below)."""
    share = st.fixed_dictionaries(
        {
            "source": pick(edgy, ["/srv/zs-share"], ["srv/zs-share"]),
            "tag": pick(edgy, ["t", "tag0", "x" * 36, "\u00e9" * 18, "a b"],
                        ["x" * 37, "\u00e9" * 19, ""]),
        },
        optional={
            "readonly": pick(edgy, [False], [True]),  # libvirt 11.0 and later (share)
            "queue": pick(edgy, [1, 128, 1024], [0, 1025]),
            "binary": pick(edgy, ["/usr/lib/qemu/virtiofsd"],
                           ["/usr/libexec/virtiofsd", "virtiofsd"]),
            "xattr": st.booleans(),
            # "auto" is virtiofsd's, not libvirt's schema's (rule share; test_stack_found)
            "cache": pick(edgy, ["none", "always"], ["auto", "never"]),
            "ccw": pick(edgy, ["fe.0.0030"], ["fe.0.0010"]),
        },
    )  # fmt: skip
    return st.lists(
        share, min_size=1, max_size=2, unique_by=lambda s: s["tag"] if not edgy else id(s)
    )


UUIDS = ["8ef6d3b0-e5c8-4b49-8ba7-1c6e69c6e9a0", "90c6c135-ad44-41d0-b1b7-bae47de48627"]


def passthrough(edgy: bool) -> st.SearchStrategy[list[dict]]:
    """Host devices: none can be had here, so the stack refuses each at start for this
    machine's reason; define --validate still judges the XML."""
    ap = st.fixed_dictionaries(
        {"type": st.just("vfio-ap"), "uuid": pick(edgy, UUIDS[:1], ["not-a-uuid"])},
        optional={
            "adapters": st.lists(pick(edgy, [0, 5, 255], [256]), min_size=1, max_size=3,
                                 unique=True),
            "domains": st.lists(pick(edgy, [0, 4, 255], [256]), min_size=1, max_size=3,
                                unique=True),
            "control_domains": st.lists(pick(edgy, [0, 4, 255]), max_size=2, unique=True),
            **({"boot_order": st.just(2), "ccw": st.just("fe.0.0040")} if edgy else {}),
        },
    )  # fmt: skip
    ccw = st.fixed_dictionaries(
        {"type": st.just("vfio-ccw"), "uuid": st.just(UUIDS[1])},
        optional={
            "ccw": pick(edgy, ["fe.0.0041"], ["fe.0.0010", "0.0.0041"]),
            "boot_order": pick(edgy, [3], [1]),
            "loadparm": pick(edgy, ["1", "PROMPT"], ["abcdefghi"]),
            "dasd": pick(edgy, ["0.0.1234"], ["0.4.1234", "1234"]),
        },
    )
    zpci_id = pick(edgy, [1, 0xFFFF, "0x0002"], [0, 0x10000])
    pci = st.fixed_dictionaries(
        {"type": st.just("pci"),
         "address": pick(edgy, ["0000:00:00.0", "0001:00:00.0"], ["0000:00:00.8"])},
        optional={
            "zpci": st.fixed_dictionaries(
                {}, optional={"uid": zpci_id,
                              "fid": pick(edgy, [0, 2**32 - 1, "0x00000001"], [2**32])}),
            "guest_address": pick(edgy, ["0000:00:02.0", "0000:00:1f.7"]),
            "driver": pick(edgy, ["vfio"], ["kvm"]),
            "managed": st.booleans(),
            **({"boot_order": st.just(4)} if edgy else {}),
        },
    )  # fmt: skip
    scsi = st.fixed_dictionaries(
        {"type": st.just("scsi"), "address": pick(edgy, ["0:0:1:0", "1:0:0:3"], ["0:0:1"])},
        optional={"boot_order": st.just(5)},
    )
    return st.lists(st.one_of(ap, ccw, pci, scsi), min_size=1, max_size=3)


def extras(vcpus: int) -> st.SearchStrategy[dict]:
    """The other sections, each in few examples: channels, consoles, VNC, virtio-rng,
    vsock, a direct kernel boot, the clock, stated ccw addresses, the [target] stack."""
    return st.fixed_dictionaries(
        {},
        optional={
            "channels": st.lists(
                st.fixed_dictionaries(
                    {"name": st.sampled_from(["org.qemu.guest_agent.0", "org.example.zs.1",
                                              "org.qemu.guest_agent.0", "a b"])},
                    optional={"path": st.sampled_from(
                        ["/var/lib/libvirt/qemu/zs-agree.agent", "relative.sock",
                         "/var/lib/libvirt/images/zs-" + "s" * 80 + ".sock"])},
                ),
                max_size=2,
            ),
            "console": st.fixed_dictionaries(
                {}, optional={"sclp": st.booleans(), "line_mode": st.booleans(),
                              "serial": st.booleans(), "log_append": st.booleans(),
                              "log": st.sampled_from(["/var/lib/libvirt/images/zs-con.log",
                                                      "zs-con.log"])}),
            "graphics": st.fixed_dictionaries(
                {}, optional={"vnc": st.booleans(), "inputs": st.booleans(),
                              "tablet": st.booleans(), "videos": edge_ints([0, 1, 2, 16, 17]),
                              "listen": st.sampled_from(["127.0.0.1", "", "::1", "0.0.0.0",
                                                         "localhost", "10.0.0.256"])}),
            "rng": st.fixed_dictionaries(
                {},
                optional={
                    "enabled": st.booleans(),
                    "source": st.sampled_from(["/dev/urandom", "/dev/random", "dev/random"]),
                },
            ),
            "vsock": st.fixed_dictionaries(
                {}, optional={"cid": edge_ints([0, 2, 3, 2**32]), "iommu": st.booleans()}
            ),
            "kernel": st.fixed_dictionaries(
                {"path": st.sampled_from(["/var/lib/libvirt/images/zs.kernel", "zs.kernel"])},
                optional={"initrd": st.just("/var/lib/libvirt/images/zs.initrd"),
                          "cmdline": st.builds(lambda n: "x" * n,
                                               edge_ints([1, 895, 896, 4095, 4096]))}),
            "clock": st.fixed_dictionaries(
                {}, optional={"offset": st.sampled_from(["utc", "localtime"]),
                              "timers": st.sampled_from([[], ["kvmclock"], ["tsc"]])}),
            "addresses": st.dictionaries(
                st.sampled_from(["memballoon", "rng", "video", "keyboard", "mouse",
                                 "scsi-controller", "virtio-serial-controller", "vsock",
                                 "nothing"]),
                st.sampled_from(["fe.0.0050", "fe.0.0051", "fe.0.0010", "fe.0"]),
                max_size=2),
            "target": st.fixed_dictionaries(
                {}, optional={"libvirt": st.sampled_from(["9.0", "10.10", "11.0", "9"]),
                              "qemu": st.sampled_from(["7.2", "9.2", "10.0"])}),
            "cpu_tuning": st.fixed_dictionaries(
                {}, optional={
                    "pinning": st.dictionaries(
                        st.sampled_from(["0", "1", str(vcpus)]),
                        st.sampled_from(["0", "0-1", "1,0", "x", "0-999"]), max_size=2),
                    "emulator_pinning": st.sampled_from(["0", "0-1", "x"]),
                    "iothread_pinning": st.dictionaries(
                        st.sampled_from(["1", "2", "0"]), st.sampled_from(["0", "1"]),
                        max_size=1),
                    "features": st.dictionaries(
                        st.sampled_from(["zpci", "vx", "msa5", "sief2", "aen", "bpb", "xyz"]),
                        st.sampled_from(["require", "disable", "force", "forbid", "optional"]),
                        max_size=2),
                    "deprecated_features": st.booleans(),
                    "sockets": edge_ints([1, 2]),
                    "cores": edge_ints([1, 2]),
                }),
        },
    )  # fmt: skip


@st.composite
def answers_data(draw: st.DrawFn) -> dict:
    # half the examples keep every value valid (pick), so that many reach the stack
    edgy = draw(st.booleans())
    vcpus = draw(pick(edgy, [1, 2, 4], [248, 249]))
    guest = {
        "name": NAME,
        "os": "rhel9",
        "domain_type": "qemu",
        "memory_mib": draw(pick(edgy, [512, 1024, 4096], [64])),
        "vcpus": vcpus,
    }
    if draw(st.booleans()):
        guest["vcpus_current"] = draw(pick(edgy, [1, vcpus], [vcpus + 1]))
    if draw(st.booleans()):
        guest["iothreads"] = draw(edge_ints([1, 2]))
        if draw(st.booleans()):  # the virtio-scsi controller's (a converted guest's)
            guest["scsi_iothread"] = draw(edge_ints([1, 2, 3, 7]))
        if draw(st.booleans()):  # a converted guest's own numbering
            guest["iothread_ids"] = draw(
                st.lists(edge_ints([7, 3, 1, 0]), min_size=1, max_size=2, unique=not edgy)
            )
    if draw(st.booleans()):
        guest["no_usb"] = True
    guest.update(
        draw(
            rarely(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "os": pick(edgy, ["rhel7", "rhel8", "other"], ["rhel10"]),
                        "title": pick(edgy, ["zs", "x" * 200], ["two\nlines"]),
                        "description": st.sampled_from(["zs", "two\nlines"]),
                        "on_poweroff": pick(edgy, ["destroy"], ["restart", "preserve"]),
                        "on_reboot": pick(edgy, ["destroy", "restart"], ["rename-restart"]),
                        "on_crash": st.sampled_from(  # tidy() keeps to the valid ones
                            ["destroy", "preserve", "coredump-destroy", "rename-restart"]
                        ),
                        "smbios": pick(edgy, [False], [True]),
                        "machine": st.sampled_from(["s390-ccw-virtio-7.2", "s390-ccw-virtio-4.2",
                                                    "s390-ccw-virtio-2.4", "s390-ccw-virtio-9.2",
                                                    "s390-ccw-virtio-rhel9.4.0"]),
                        "memory_kib": pick(edgy, [1048576], [1, 524289]),
                    },
                ),
                one_in=3,
            )
        )
        or {}
    )  # fmt: skip
    cpu = draw(
        st.sampled_from(
            [{}, {"mode": "maximum"}, {"mode": "custom", "model": "qemu"},
             {"mode": "custom", "model": draw(st.sampled_from(CPU_MODELS))}]
        )
    )  # fmt: skip
    listed_disks = draw(disks(edgy))
    for i, disk in enumerate(listed_disks):
        ext = "iso" if disk.get("device") == "cdrom" else disk.get("format", "qcow2")
        disk["path"] = f"/var/lib/libvirt/images/zs-{i}.{ext}"
        if i and "loadparm" in disk and draw(st.booleans()):
            del disk["loadparm"]  # mostly on the boot disk, where it is allowed
    listed_disks[0]["boot_order"] = 1
    extra: dict = {}
    if draw(st.booleans()):
        extra["watchdog"] = {
            "action": draw(st.sampled_from(["reset", "poweroff", "pause", "dump", "inject-nmi"])),
            **draw(st.sampled_from([{}, {}, {}, {"model": "diag288"}, {"model": "i6300esb"}])),
        }
    mem = draw(rarely(memory(edgy), one_in=2))
    if mem:
        extra["memory"] = mem
    if draw(st.booleans()):
        extra["keywrap"] = {"aes": draw(st.booleans()), "dea": draw(st.booleans())}
    listed_nics = draw(nics(edgy))
    if listed_nics and draw(sometimes(4)):  # a network boot
        listed_nics[0]["boot_order"] = draw(edge_ints([1, 2]))
        if draw(st.booleans()):
            listed_nics[0]["loadparm"] = draw(st.sampled_from(["1", "2"]))
        if listed_nics[0]["boot_order"] == 1:
            listed_disks[0]["boot_order"] = 2
    more = draw(extras(vcpus))
    for key in ("console",):
        if key in more:
            extra[key] = more.pop(key)
    if draw(sometimes(2)):  # the rest: now and then, one or two sections
        for key in draw(st.lists(st.sampled_from(sorted(more) or ["-"]), max_size=2)):
            if key == "cpu_tuning":
                cpu = {**cpu, **more[key]}
            elif key in more:
                extra[key] = more[key]
    found = draw(rarely(shares(edgy), one_in=3))
    if found:
        extra["shares"] = found
    devices = draw(rarely(passthrough(edgy), one_in=4))
    if devices:
        extra["passthrough"] = devices
    if draw(sometimes(8)):  # Secure Execution: KVM only (se-launch)
        guest["domain_type"] = "kvm"
        cpu = draw(
            st.sampled_from([{}, {}, {"mode": "host-model"}, {"mode": "custom", "model": "z14"}])
        )
        extra["secure_execution"] = {"enabled": True, "no_verify": True}
        if draw(st.booleans()):  # what SE forbids, taken away (or left for zwizard to refuse)
            extra.setdefault("memory", {}).update(balloon=False, hugepages=False)
            extra["rng"] = {"enabled": False}
            extra.pop("passthrough", None)
    raw = data(guest=guest, cpu=cpu, disks=listed_disks, nics=listed_nics, **extra)
    return raw if edgy else tidy(raw)


def tidy(raw: dict) -> dict:
    """A non-edgy example without the combinations docs/rules.md refuses (each value was
    valid alone): the stack, not zwizard, is then the judge of most of them."""
    g, disks, nics = raw["guest"], raw["disks"], raw["nics"]
    for disk in disks:
        if not g.get("iothreads") or disk.get("device") == "cdrom":
            disk.pop("iothread", None)
        if disk.get("device") == "cdrom":
            disk.pop("queues", None)
        if "boot_order" not in disk:
            disk.pop("loadparm", None)

    def ovs(n: dict) -> bool:
        src = n["source"]
        return src.get("network") == NET_OVS or (src.get("bridge") == OVS and "virtualport" in n)

    def macvtap(n: dict) -> bool:
        return "direct" in n["source"] or n["source"].get("network") == NET_DIRECT

    taken: dict[str, set] = {"target": set(), "mac": set(), "ccw": set()}
    for n in nics:
        if not ovs(n):
            n.pop("vlan", None)
            n.pop("trunk", None)
        n.pop("trunk", None) if "vlan" in n else None
        if macvtap(n):
            n.pop("mtu", None)
        if n["source"].get("network") not in (None, NET_OVS) or "bridge" in n["source"]:
            if not ovs(n):
                n.pop("virtualport", None)
                n.pop("interfaceid", None)
        for key, seen in taken.items():
            if n.get(key) in seen:
                del n[key]
            elif key in n:
                seen.add(n[key])
        if "boot_order" not in n:
            n.pop("loadparm", None)
    if any(n["source"].get("mode") == "passthrough" for n in nics):  # alone on its parent
        alone = [n for n in nics if n["source"].get("mode") == "passthrough"][:1]
        raw["nics"] = alone + [n for n in nics if "direct" not in n["source"]]
    if raw.get("cpu", {}).get("model") == "qemu":
        raw["cpu"] = {"mode": "maximum"}
    mem = raw.get("memory", {})
    if mem.get("balloon") is False:
        mem.pop("balloon_autodeflate", None)
        mem.pop("balloon_stats_period", None)
    mem.pop("swap_hard_limit_mib", None)
    console = raw.get("console", {})
    if console.get("sclp") is False:
        raw["console"] = {"sclp": False}
    if raw.get("watchdog", {}).get("model") == "i6300esb":
        del raw["watchdog"]["model"]
    if g.get("on_crash") == "rename-restart":
        g["on_crash"] = "destroy"
    seen_ccw = {d.get("ccw") for d in disks} | {n.get("ccw") for n in raw["nics"]}
    for share in raw.get("shares", []):
        if share.get("ccw") in seen_ccw:
            share.pop("ccw", None)
        seen_ccw.add(share.get("ccw"))
    devices = raw.get("passthrough", [])
    aps = [d for d in devices if d["type"] == "vfio-ap"]
    ccws = [d for d in devices if d["type"] == "vfio-ccw"]
    raw["passthrough"] = aps[:1] + ccws[:1] + [d for d in devices if d["type"] in ("pci", "scsi")]
    for d in aps[:1]:
        if not (d.get("adapters") and d.get("domains")):
            d.pop("adapters", None)
            d.pop("domains", None)
    for d in raw["passthrough"]:
        if d["type"] == "pci":
            d.pop("boot_order", None)
    return raw


@pytest.fixture(scope="module")
def links(stack, tmp_path_factory):
    """The bridges, macvtap parent and libvirt networks the drawn NICs name."""
    try:
        IMAGES.mkdir(parents=True, exist_ok=True)
        run("qemu-img", "create", "-q", "-f", "qcow2", str(BACKING), "64M")
        for image, image_format in BELOW:
            run("qemu-img", "create", "-q", "-f", image_format, str(image), "64M")
        with agree_links(tmp_path_factory.mktemp("links")):
            yield
    except StackUnavailable as exc:
        unavailable(str(exc))


def needs_ibm_z(raw: dict) -> bool:
    """What no machine but an IBM Z KVM host runs: passthrough and Secure Execution."""
    return bool(raw.get("passthrough")) or raw.get("secure_execution", {}).get("enabled", False)


def test_what_zwizard_accepts_the_stack_runs(stack, links, tmp_path_factory):
    from zwizard.host import discover

    tmp = tmp_path_factory.mktemp("stack-agrees")
    # judged against this host, as --host-check does for a guest defined here: its TCG
    # runs only some CPU models (domain capabilities say which), its networks are these
    host = discover("qemu")
    phases = [Phase.explicit, Phase.reuse, Phase.generate]  # no shrinking in CI
    randomly = os.environ.get("STACK_RANDOM") == "1"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=phases,
        derandomize=not randomly,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(answers_data())
    def one(raw: dict) -> None:
        try:
            answers = from_data(raw, "<drawn>")
        except AnswersError:
            SEEN["refused by zwizard (reading)"] += 1
            return
        # a guest only IBM Z runs is judged as one for another host (--other-host): this
        # host's lack of mediated devices, PCI functions and Secure Execution are warnings
        ibm_z = needs_ibm_z(raw)
        result = build(answers, host=host, host_is_target=not ibm_z)
        if not result.ok:
            SEEN["refused by zwizard"] += 1
            RULES.update({f.rule for f in result.findings if f.severity == "error"})
            if result.schema_problems:
                RULES["(libvirt's schema)"] += 1
            return
        xml, _ = runnable_copy(result.files[result.xml_name], tmp / "console.log", keep_nics=True)
        said = stack_verdict(xml, NAME, tmp)
        if said is None:
            SEEN["accepted by both" + (" (needs IBM Z, yet started)" if ibm_z else "")] += 1
            return
        words = environment(said)
        if words:
            SEEN[f"refused for this machine at {said.split(':')[0]}: {words}"] += 1
            return
        warned = {f.rule for f in result.findings if f.severity == "warning"}
        foreseen = any(w in said for rule, w in FORESEEN_WORDS.items() if rule in warned)
        if foreseen or (said.startswith("start:") and warned & FORESEEN_BY_WARNING):
            SEEN[f"refused at {said.split(':')[0]}, as zwizard warned"] += 1
            return
        SEEN["zwizard accepted, the stack refused"] += 1
        DISAGREED.setdefault(re.sub(r"[0-9]+", "#", said), (said, raw, xml))

    one()
    figures = "\n".join(f"  {n:4}  {what}" for what, n in sorted(SEEN.items()))
    print(f"\nthe stack as oracle ({EXAMPLES} examples):\n{figures}"
          f"\nzwizard's refusals by rule: {dict(RULES.most_common())}")  # fmt: skip
    assert not DISAGREED, disagreements()
    assert any(what.startswith("accepted by both") for what in SEEN)  # ran something
