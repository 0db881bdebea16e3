"""The other direction of the real stack as oracle (issue 24): valid answers zwizard must
not refuse. Hypothesis draws answers from every form the schema documents for each key
(docs/rules.md, the model's enumerations and ranges), across the whole schema, leaving
out only the forms docs/rules.md refuses as policy rather than as the stack's limits
(POLICY below). Whatever libvirt defines (`--validate`) and QEMU starts (paused, under
TCG, on a Linux bridge, an Open vSwitch bridge and a macvtap parent made here), and —
for a PXE install — whatever append line NetworkManager's initrd reader (RHEL 9's
installer) reads exactly as the answers say, zwizard must accept: a refusal fails with
the key, the value, the rule id and what the stack did with it. And what zwizard accepts
the stack must run, as in test_stack_agrees.py.

Bounded in CI (derandomized, no shrinking, ACCEPT_EXAMPLES, 50 by default: nearly each
starts a guest, 1.7 to 3.4 s apiece on this 2-core machine, shared); a longer
run: `ACCEPT_EXAMPLES=1000 STACK_RANDOM=1 tests/run tests/system/test_stack_accepts.py`.
Not drawn, as this machine cannot run them: passthrough (vfio, real LUNs and SCSI
devices), Secure Execution, block devices and storage-pool volumes, libvirt networks.
"""

from __future__ import annotations

import ipaddress
import os
import re
import string
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.system.conftest import unavailable
from tests.system.guests import runnable_copy, stack_verdict
from tests.system.installer import nm_initrd_generator
from tests.system.netdevs import (
    BRIDGE,
    NET_BRIDGE,
    NET_DIRECT,
    NET_OVS,
    NET_OWN,
    OVS,
    PARENT,
    agree_links,
)
from tests.system.stack import IMAGES, StackUnavailable, run
from tests.system.test_installer_reads import configured, expect, from_answers
from tests.system.test_stack_agrees import ENVIRONMENT, FORESEEN_BY_WARNING
from zwizard.answers import AnswersError, from_data
from zwizard.build import render_files
from zwizard.cpu_models import CPU_MODELS
from zwizard.model import Answers
from zwizard.plan import interface_name, make_plan
from zwizard.render.pxe import append_line
from zwizard.rules import check
from zwizard.vocabulary import (
    CACHE_MODES,
    CLOCK_OFFSETS,
    DETECT_ZEROES,
    DIRECT_MODES,
    DISCARD_MODES,
    ERROR_POLICIES,
    IMAGE_FORMATS,
    IO_MODES,
    READ_ERROR_POLICIES,
    WATCHDOG_ACTIONS,
)

EXAMPLES = int(os.environ.get("ACCEPT_EXAMPLES", "50"))
# forms docs/rules.md refuses as Red Hat's or IBM Z's policy, which a TCG guest would
# still start with: never drawn (rule id: the key and form left out)
POLICY = {
    "no-numa": "cpu.numa = true",
    "no-smbios": "guest.smbios = true",
    "no-mem-hotplug": "memory.hotplug = true",
    "no-kvmclock": "clock.timers",
    "ccw-only": "a NIC model other than virtio",
    "watchdog-diag288": "a watchdog model other than diag288",
    "kernel-boot": "a direct kernel boot with a PXE install (the firmware never runs)",
}
IMAGE_FILES = [f"zs-acc-{i}.{ext}" for i in range(3) for ext in ("qcow2", "raw", "iso")]
IMAGE_FILES += ["zs-acc.kernel", "zs-acc.initrd"]
# QEMU's words for a CPU feature required (or forced) that its TCG does not emulate (sief2
# …): a KVM host with the facility runs it; zwizard cannot tell from here which it will be
TCG_LACKS = "Some features requested in the CPU model are not available in the configuration"
SEEN: Counter[str] = Counter()
RULES: Counter[str] = Counter()
SAFE = string.ascii_letters + string.digits
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40)
some = st.sampled_from


def optional(**keys: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=keys)


def guest() -> st.SearchStrategy[dict]:
    # the documented form (guest-name): 1-64 of letters, digits, _ . + -; "zs-" first
    names = st.builds(
        lambda n, tail: "zs-" + tail[:n],
        some([1, 12, 61]),
        st.text(st.sampled_from(SAFE + "-_.+"), min_size=61, max_size=61),
    )
    return st.builds(
        lambda fixed, opt: {**fixed, **opt},
        st.fixed_dictionaries(
            {"name": names, "domain_type": st.just("qemu"),
             "memory_mib": some([256, 1024, 2048]), "vcpus": some([1, 2, 3, 8, 248])}
        ),
        optional(
            os=some(["rhel7", "rhel8", "rhel9", "other"]),
            uuid=st.uuids().map(str),
            title=TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " ")),
            description=TEXT,
            on_poweroff=some(["destroy", "restart"]),  # not restart with on_reboot destroy
            on_reboot=some(["destroy", "restart"]),
            on_crash=some(["destroy", "restart", "preserve", "coredump-destroy",
                           "coredump-restart"]),
            iothreads=some([0, 1, 2, 4]),
        ),
    )  # fmt: skip


def cpu(vcpus: int) -> st.SearchStrategy[dict]:
    split = [(s, vcpus // s) for s in (1, 2, 3, 4) if vcpus % s == 0]
    return st.one_of(
        st.just({}),
        st.just({"mode": "maximum"}),
        st.builds(lambda m: {"mode": "custom", "model": m}, some(CPU_MODELS)),
        st.builds(lambda sc: {"sockets": sc[0], "cores": sc[1]}, some(split)),
        st.builds(
            lambda f, p: {"mode": "maximum", "features": {f: p}},
            some(["zpci", "vx", "msa5", "sief2", "aen", "ais", "ppa15", "bpb"]),
            some(["require", "disable", "force", "forbid"]),  # not optional (cpu-features)
        ),
        st.builds(
            lambda pin, em: {"pinning": {"0": pin}, **({"emulator_pinning": em} if em else {})},
            some(["0", "1", "0-1", "0,1"]),
            some([None, "0", "0-1"]),
        ),
    )


def disk(i: int, iothreads: int) -> st.SearchStrategy[dict]:
    def made(device: str, opt: dict) -> dict:
        """The combinations docs/rules.md documents (disk-tuning): io native with cache
        none or directsync, detect_zeroes unmap with discard unmap, queues and I/O
        threads on virtio-blk only, an I/O thread the guest has."""
        fmt = opt.pop("format", "qcow2")
        fmt = "raw" if device == "cdrom" else fmt  # the ISO made here is raw
        ext = "iso" if device == "cdrom" else fmt
        if opt.get("io") == "native" and opt.get("cache") not in ("none", "directsync"):
            opt["cache"] = "none"
        if opt.get("detect_zeroes") == "unmap":
            opt["discard"] = "unmap"
        if device == "cdrom" or not iothreads:
            opt.pop("iothread", None)
        if device == "cdrom":
            opt.pop("queues", None)
        return {"path": f"{IMAGES}/zs-acc-{i}.{ext}", "device": device, "format": fmt, **opt}

    return st.builds(
        made,
        some(["disk", "disk", "disk", "cdrom"]),
        optional(
            format=some(IMAGE_FORMATS),
            cache=some(CACHE_MODES),
            io=some(IO_MODES),
            discard=some(DISCARD_MODES),
            detect_zeroes=some(DETECT_ZEROES),
            error_policy=some(ERROR_POLICIES),
            rerror_policy=some(READ_ERROR_POLICIES),
            iothread=some(list(range(1, iothreads + 1)) or [1]),
            queues=some([1, 2, 1024]),
            serial=st.text(st.sampled_from(SAFE + "_ .+-"), min_size=1, max_size=20),
            readonly=st.booleans(),
            ccw=some([f"fe.0.{0x10 + i:04x}", f"0xfe.0x0.0x{0x20 + i:04x}"]),
            target=some([f"vd{'abc'[i]}", f"sd{'abc'[i]}"]),
        ),
    )


def nic(i: int) -> st.SearchStrategy[dict]:
    source = some(
        [{"source": {"bridge": BRIDGE}},
         {"source": {"bridge": OVS}, "virtualport": "openvswitch"},
         *({"source": {"direct": PARENT, "mode": m}} for m in DIRECT_MODES),
         {"source": {"direct": PARENT}},
         # libvirt networks made here: a tap on the bridge, an OVS port (the network's
         # virtualport, said or not), a macvtap pool, an isolated bridge with MTU 9000
         {"source": {"network": NET_BRIDGE}}, {"source": {"network": NET_OVS}},
         {"source": {"network": NET_OVS}, "virtualport": "openvswitch"},
         {"source": {"network": NET_DIRECT}}, {"source": {"network": NET_OWN}}]
    )  # fmt: skip

    def made(base: dict, opt: dict) -> dict:
        """nic-tuning as documented: no MTU on macvtap, a VLAN tag on an OVS port only."""
        if "direct" in base["source"] or base["source"].get("network") == NET_DIRECT:
            opt.pop("mtu", None)
        if "virtualport" not in base and base["source"].get("network") != NET_OVS:
            opt.pop("vlan", None)
        return {**base, **opt}

    return st.builds(
        made,
        source,
        optional(
            mac=some([f"52:54:00:00:0a:{i:02x}", f"02:00:00:00:0b:{i:02x}"]),
            mtu=some([68, 1500, 8992, 9000, 65521]),
            queues=some([1, 2, 256]),
            target=some([f"zs-acc{i}", f"zs-{'t' * 11}{i}"]),  # 15 bytes at most
            vlan=some([0, 1, 42, 4095]),
            ccw=some([f"fe.0.{0x30 + i:04x}"]),
        ),
    )


def passthrough() -> st.SearchStrategy[list[dict]]:
    """Valid host devices (docs/rules.md section 4): one vfio-ap matrix with its queues, a
    vfio-ccw DASD, PCI functions with zPCI ids or none; this machine has none of them, so
    the stack's refusal is this machine's (ENVIRONMENT), but define --validate judges."""
    ap = st.builds(
        lambda q: {"type": "vfio-ap", "uuid": "8ef6d3b0-e5c8-4b49-8ba7-1c6e69c6e9a0", **q},
        some([{}, {"adapters": [5], "domains": [4]},
              {"adapters": [0, 255], "domains": [0, 255], "control_domains": [4]}]),
    )  # fmt: skip
    ccw = st.builds(
        lambda opt: {"type": "vfio-ccw", "uuid": "90c6c135-ad44-41d0-b1b7-bae47de48627", **opt},
        optional(ccw=st.just("fe.0.0041"), dasd=st.just("0.0.1234")),
    )
    pci = st.builds(
        lambda addr, zpci, opt: {"type": "pci", "address": addr,
                                 **({"zpci": zpci} if zpci else {}), **opt},
        some(["0000:00:00.0", "0001:00:00.0"]),
        some([None, {}, {"uid": 1, "fid": 0}, {"uid": "0xffff", "fid": "0xffffffff"},
              {"uid": 2}]),
        optional(managed=st.booleans(), driver=st.just("vfio"),
                 guest_address=st.just("0000:00:02.0")),
    )  # fmt: skip
    return st.builds(
        lambda a, c, p: [*a, *c, *p[:1]],
        st.lists(ap, max_size=1),
        st.lists(ccw, max_size=1),
        st.lists(pci, max_size=1),
    ).filter(bool)


def pxe() -> st.SearchStrategy[dict]:
    v4 = some(
        [{"address": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1"},
         {"address": "10.0.16.5/20", "gateway": "10.0.16.1"},
         {"address": "192.168.1.200", "netmask": "255.255.254.0", "gateway": "192.168.0.1"},
         {"address": "172.16.9.9/8", "gateway": "172.0.0.1"},
         {"address": "10.1.1.2/30", "gateway": "10.1.1.1"}]
    )  # fmt: skip
    v6 = some(
        [{"address": "2001:db8::5/64", "gateway": "2001:db8::1"},
         {"address": "2001:db8:0:1::5/56", "gateway": "fe80::1"},
         {"address": "fd00::a/48", "gateway": "fd00::1"}]
    )  # fmt: skip
    # dracut's own form (dracut.cmdline(7)), pasted whole: IPv4 or IPv6 in brackets, the
    # gateway empty or not, a prefix or a netmask, and the :<mtu>:<macaddr> fields
    dracut = st.builds(
        lambda addr, gw, host, iface, mtu, mac: {
            "ip": f"{addr[0]}::{gw and addr[1]}:{addr[2]}:{host}:{iface}:none"
            + (f":{mtu}" if mtu or mac else "")
            + (f":{mac}" if mac else "")
        },
        some(
            [
                ("10.1.2.3", "10.1.2.1", "255.255.255.0"),
                ("10.1.2.3", "10.1.2.1", "23"),
                ("172.16.0.9", "172.16.0.1", "16"),
                ("[2001:db8::5]", "[2001:db8::1]", "64"),
                ("[fd00::9]", "[fe80::1]", "48"),
            ]
        ),
        st.booleans(),
        some(["db01", "", "a-b.example.com"]),
        some(["enc1", "enc600", ""]),
        some([None, 68, 1400, 9000, 65535]),
        some([None, "52:54:00:aa:bb:cc", "02:00:00:00:00:01"]),
    )
    no_gateway = v4.map(lambda d: {k: v for k, v in d.items() if k != "gateway"})
    ip = st.one_of(
        some([{"ip": "dhcp"}, {"ip": "dhcp6"}, {"ip": "auto6"}]),
        v4.map(lambda d: {"ip": "static", **d}),
        v6.map(lambda d: {"ip": "static", **d}),
        no_gateway.map(lambda d: {"ip": "static", **d}),  # a flat install LAN (a warning)
        dracut,
    )
    servers4 = ["10.0.0.53", "10.0.0.54", "192.168.1.1"]
    servers6 = ["2001:db8::53", "fd00::53"]
    label = st.text(st.sampled_from(string.ascii_lowercase + string.digits), min_size=1,
                    max_size=63)  # fmt: skip
    hostname = st.one_of(
        some(["db01", "db01.example.com", "a", "a-b", "x" * 63, "1db"]),
        st.lists(label, min_size=1, max_size=4).map(".".join),
    )
    return st.builds(
        lambda form, opt, fam: {
            "enabled": True,
            "repo": "http://install.example.com/rhel9/BaseOS/s390x/os/",
            **form,
            **opt,
            **({"nameserver": fam(form)} if fam else {}),
        },
        ip,
        optional(hostname=hostname, interface=some(["enc600", "enc1", "eth0"])),
        some([None, lambda f: _servers(f, servers4, servers6, 1),
              lambda f: _servers(f, servers4, servers6, 3)]),
    )  # fmt: skip


def _servers(form: dict, four: list[str], six: list[str], n: int) -> str | list[str]:
    """Name servers of the address family the form configures (dracut.cmdline(7);
    NetworkManager files each server under its family)."""
    is6 = form["ip"] in ("dhcp6", "auto6") or ":" in form.get("address", "")
    is6 = is6 or form["ip"].startswith("[")
    both = form["ip"] == "dhcp"
    pool = four + six if both else six if is6 else four
    return pool[0] if n == 1 else pool[:n]


@st.composite
def valid_answers(draw: st.DrawFn) -> dict:
    g = draw(guest())
    out: dict[str, Any] = {"version": 1, "guest": g, "cpu": draw(cpu(g["vcpus"]))}
    if draw(st.booleans()):
        g["vcpus_current"] = draw(st.integers(1, g["vcpus"]))
    iothreads = g.get("iothreads", 0)
    disks = [draw(disk(i, iothreads)) for i in range(draw(st.integers(1, 3)))]
    nics = [draw(nic(i)) for i in range(draw(st.integers(0, 3)))]
    if any(n["source"].get("mode") == "passthrough" for n in nics):  # alone on its parent
        nics = [n for n in nics if n["source"].get("mode") == "passthrough"][:1] + [
            n for n in nics if "direct" not in n["source"]
        ]
    if draw(st.integers(0, 3)) == 0:  # a PXE install: the first NIC boots
        nics = [{"source": {"bridge": BRIDGE}, **(nics[0] if nics else {})}, *nics[1:]]  # any
        nics[0]["boot_order"] = 1
        disks[0]["boot_order"] = 2
        out["pxe"] = draw(pxe())
    else:
        disks[0]["boot_order"] = 1
        if draw(st.booleans()):
            disks[0]["loadparm"] = draw(some(["1", "PROMPT", "SYS1", "12345678", "A B"]))
    out["disks"], out["nics"] = disks, nics
    extra = draw(
        optional(
            watchdog=st.builds(lambda a: {"action": a}, some(WATCHDOG_ACTIONS)),
            channels=st.lists(
                st.builds(
                    lambda name, n: {"name": name, **({"path": _socket(n)} if n else {})},
                    some(["org.qemu.guest_agent.0", "org.example.zs.1"]),
                    some([None, 40, 107]),
                ),
                max_size=2,
                unique_by=lambda c: c["name"],
            ),
            kernel=st.builds(
                lambda initrd, n: {
                    "path": f"{IMAGES}/zs-acc.kernel",
                    **({"initrd": f"{IMAGES}/zs-acc.initrd"} if initrd else {}),
                    **({"cmdline": ("root=/dev/vda1 " + "x" * n)[:n]} if n else {}),
                },
                st.booleans(),
                some([0, 20, 895, 896, 4095]),
            ),
            keywrap=optional(aes=st.booleans(), dea=st.booleans()),
            console=optional(
                sclp=st.booleans(), log=st.just(f"{IMAGES}/zs-acc.console.log"),
                log_append=st.booleans(), line_mode=st.booleans(),
            ),
            graphics=optional(vnc=st.booleans(), listen=some(["127.0.0.1", "", "::1"]),
                              inputs=st.booleans(), tablet=st.booleans(),
                              videos=some([1, 2, 16])),
            memory=optional(
                balloon=st.booleans(), nosharepages=st.booleans(),
                hard_limit_mib=some([4096, 8192]), soft_limit_mib=some([512, 4096]),
                balloon_autodeflate=st.booleans(), balloon_stats_period=some([1, 10]),
                hugepages=st.booleans(), locked=st.booleans(),
            ),
            shares=st.lists(
                st.builds(lambda tag, opt: {"source": "/srv/zs-share", "tag": tag, **opt},
                          some(["t", "tag0", "x" * 36, "\u00e9" * 18, "a b"]),
                          optional(queue=some([1, 128, 1024]), xattr=st.booleans(),
                                   # libvirt's schema takes none|always (no "auto")
                                   cache=some(["none", "always"]),
                                   binary=st.just("/usr/lib/qemu/virtiofsd"))),
                min_size=1, max_size=2, unique_by=lambda s: s["tag"],
            ),  # readonly: libvirt 11.0 and later (share), not this libvirt 9.0
            vsock=optional(cid=some([3, 4, 2**32 - 2])),
            passthrough=passthrough(),
            rng=optional(enabled=st.booleans()),
            clock=optional(offset=some(CLOCK_OFFSETS)),
        )
    )  # fmt: skip
    if extra.get("memory", {}).get("balloon") is False:  # balloon options set the balloon
        for key in ("balloon_autodeflate", "balloon_stats_period"):
            extra["memory"].pop(key, None)
    if extra.get("console", {}).get("sclp") is False:  # the log and line mode are the SCLP's
        extra["console"] = {"sclp": False}
    if g.get("on_poweroff") == "restart" and g.get("on_reboot") == "destroy":
        g["on_reboot"] = "restart"  # lifecycle: libvirt refuses the pair
    if "pxe" in out and "hostname" not in out["pxe"]:  # the guest's name is the host name
        g["name"] = re.sub(r"[^A-Za-z0-9-]", "-", g["name"])
    if "pxe" in out:  # kernel-boot: the firmware that would fetch the PXE files never runs
        extra.pop("kernel", None)  # (after the start this test sees: left out, as POLICY)
    out.update(extra)
    return out


def _socket(n: int) -> str:
    """A UNIX socket path of n bytes (sun_path holds 107 and the NUL)."""
    head = f"{IMAGES}/zs-"
    return head + "s" * (n - len(head) - 5) + ".sock"


def value_at(raw: dict, path: str) -> Any:
    """The answers' value at a finding's path ("nics[0].source.mode", "pxe.nameserver[1]")."""
    here: Any = raw
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        try:
            here = here[int(index)] if index else here[name]
        except (KeyError, IndexError, TypeError):
            return "(absent)"
    return here


def installer_reads(a: Answers) -> str | None:
    """None when NetworkManager's initrd reader configures what the answers say; else how
    its reading differs."""
    line = append_line(a, make_plan(a))
    try:
        got = configured(line)
        said = dracut_says(a) if ":" in a.pxe.ip else from_answers(a)
    except AssertionError as exc:
        return f"the installer reads {line!r} otherwise: {exc}"
    return None if got == said else f"the installer reads {line!r} as {got}, not {said}"


def dracut_says(a: Answers) -> dict:
    """What dracut's form in pxe.ip says, in the terms `configured` reports."""
    fields = re.split(r":(?![^\[]*\])", a.pxe.ip)  # no split inside [IPv6]
    addr, _peer, gw, mask, host, iface, _method, *rest = fields + [""] * (9 - len(fields))
    mtu, mac = [*rest, "", ""][:2] if len(rest) < 2 else (rest[0], ":".join(rest[1:]))
    addr, gw = addr.strip("[]"), gw.strip("[]")
    net = ipaddress.ip_interface(f"{addr}/{mask}")
    v6 = net.version == 6
    servers = [a.pxe.nameserver] if isinstance(a.pxe.nameserver, str) else a.pxe.nameserver or []
    plan = make_plan(a)
    return expect("disabled" if v6 else "manual", "manual" if v6 else "disabled",
                  address=f"{net.ip}/{net.network.prefixlen}", gateway=gw or None,
                  dns=tuple(servers), hostname=host or a.pxe.hostname or a.guest.name,
                  interface=iface or a.pxe.interface
                  or interface_name(plan.ccw[f"nics[{plan.boot_nic()}]"]),
                  mtu=mtu or None, mac=mac.lower() or None)  # fmt: skip


@pytest.fixture(scope="module")
def links(stack, tmp_path_factory):
    try:
        nm_initrd_generator()
        IMAGES.mkdir(parents=True, exist_ok=True)
        for name in IMAGE_FILES:  # there before zwizard looks (host-disk)
            if not (IMAGES / name).exists():
                fmt = "qcow2" if name.endswith("qcow2") else "raw"
                run("qemu-img", "create", "-q", "-f", fmt, str(IMAGES / name), "64M")
        with agree_links(tmp_path_factory.mktemp("links")):
            yield
    except StackUnavailable as exc:
        unavailable(str(exc))


def test_what_the_stack_accepts_zwizard_accepts(stack, links, tmp_path_factory):
    from zwizard.host import discover

    tmp = tmp_path_factory.mktemp("stack-accepts")
    host = discover("qemu")  # judged against this host, as --host-check does here
    randomly = os.environ.get("STACK_RANDOM") == "1"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking in CI
        derandomize=not randomly,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(valid_answers())
    def one(raw: dict) -> None:
        try:
            a = from_data(raw, "<drawn>")
        except AnswersError as exc:
            raise AssertionError(f"zwizard cannot read documented forms: {exc}\n{raw}") from exc
        plan = make_plan(a)
        # a guest only IBM Z runs (passthrough) is judged as one for another host: this
        # host's lack of mediated devices and PCI functions are warnings
        findings = check(a, plan, host, not a.passthrough)
        refused = [f for f in findings if f.severity == "error"]
        try:
            files = render_files(a, plan)
        except Exception as exc:  # answers the rules refuse need not render
            if refused:
                SEEN["refused by zwizard, not rendered"] += 1
                RULES.update({f.rule for f in refused})
                return
            raise AssertionError(f"accepted, and rendering failed: {exc!r}\n{raw}") from exc
        xml, _ = runnable_copy(files[f"{a.guest.name}.xml"], tmp / "console.log",
                               keep_nics=True)  # fmt: skip
        said = stack_verdict(xml, a.guest.name, tmp)
        if said is not None and any(words in said for words in ENVIRONMENT):
            SEEN["refused for this machine"] += 1
            return
        wanted = {p for p in a.cpu.features.values()} & {"require", "force"}
        if said is not None and wanted and TCG_LACKS in said:
            SEEN["refused for this machine (a facility TCG lacks)"] += 1
            return
        if said is None and a.pxe.enabled:
            said = installer_reads(a)
        if refused:
            RULES.update({f.rule for f in refused})
        if said is None and refused:
            lines = "\n".join(
                f"  {f.path} = {value_at(raw, f.path)!r}: {f.rule}: {f.message}" for f in refused
            )
            raise AssertionError(
                "zwizard refused what libvirt defined and QEMU started"
                + (" (and the installer read as the answers say)" if a.pxe.enabled else "")
                + f":\n{lines}\n\nanswers: {raw}\n\nXML:\n{xml}"
            )
        if said is None:
            SEEN["accepted by both"] += 1
        elif refused:
            SEEN["refused by both"] += 1
        elif (
            said.startswith("start:")
            and {f.rule for f in findings if f.severity == "warning"} & FORESEEN_BY_WARNING
        ):
            SEEN["refused at start, as zwizard warned"] += 1
        else:
            raise AssertionError(
                f"zwizard accepted, the stack refused:\n{said}\n\nanswers: {raw}\n\nXML:\n{xml}"
            )

    one()
    print(f"\nvalid answers on the stack: {dict(SEEN)}\nrefused by rule: {dict(RULES)}")
    assert SEEN["accepted by both"] > 0
