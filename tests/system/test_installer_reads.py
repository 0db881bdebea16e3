"""The append line zwizard writes, read by the installer's own parser (issue 24).

RHEL 9's initrd configures the network from `ip=` and `nameserver=` with NetworkManager's
nm-initrd-generator (tests/system/installer.py fetches Debian's). For every PXE example in
assets/ and every form of the table below, the profile it prints must hold exactly the
address, prefix, gateway, name servers, host name, MTU, MAC and interface the answers
say: nothing dropped, nothing added, no warning. For what zwizard refuses, the same
parser shows what the installer would have made of it.
"""

from __future__ import annotations

import ipaddress
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ASSETS, answers
from tests.system.conftest import unavailable
from tests.system.installer import nm_initrd_generator, nm_read
from tests.system.stack import StackUnavailable
from zwizard.answers import load
from zwizard.build import build
from zwizard.model import Answers
from zwizard.plan import interface_name, make_plan
from zwizard.render.pxe import append_line
from zwizard.rules import check

PXE_EXAMPLES = [p for p in sorted(ASSETS.glob("*.toml")) if load(p)[0].pxe.enabled]
BOOT_NIC = [{"source": {"network": "default"}, "boot_order": 1, "ccw": "fe.0.0600"}]
DISK2 = [{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 2}]
PXE = {"enabled": True, "repo": "http://install.example.com/rhel9/BaseOS/s390x/os/"}
# the keys a profile may hold besides what is compared: NetworkManager's own defaults
OWN_KEYS = {
    "connection": {"id", "uuid", "type", "autoconnect-priority", "autoconnect-retries",
                   "multi-connect", "interface-name"},
    "ethernet": {"mtu", "cloned-mac-address"},
    "ipv4": {"method", "address1", "dns", "may-fail", "dhcp-hostname", "dhcp-timeout"},
    "ipv6": {"method", "address1", "dns", "may-fail", "dhcp-hostname", "dhcp-timeout"},
    "proxy": set(),
    "user": {"org.freedesktop.NetworkManager.origin"},
}  # fmt: skip


@pytest.fixture(scope="session")
def generator() -> Path:
    try:
        return nm_initrd_generator()
    except (StackUnavailable, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        unavailable(f"no nm-initrd-generator: {exc} {detail}")
        raise


def configured(line: str) -> dict[str, Any]:
    """What the installer configures from an append line, as NetworkManager reads it:
    one profile, nothing beyond the keys compared, no warning."""
    hostname, profiles, warnings = nm_read(line)
    assert warnings == [], f"{line}: {warnings}"
    assert len(profiles) == 1, f"{line}: {len(profiles)} connection profiles"
    (p,) = profiles
    for section, keys in p.items():
        if section:
            assert section in OWN_KEYS and set(keys) <= OWN_KEYS[section], (line, section, keys)
    ipv4, ipv6 = p["ipv4"], p["ipv6"]
    static = ipv4.get("address1") or ipv6.get("address1")
    address, _, gateway = static.partition(",") if static else (None, "", None)
    dhcp_names = {s["dhcp-hostname"] for s in (ipv4, ipv6) if "dhcp-hostname" in s}
    assert dhcp_names <= ({hostname} if hostname else set()), (line, dhcp_names, hostname)
    return {
        "ipv4": ipv4["method"],
        "ipv6": ipv6["method"],
        "address": address,
        "gateway": gateway or None,
        "dns": [s for fam in (ipv4, ipv6) for s in fam.get("dns", "").split(";") if s],
        "hostname": hostname,
        "interface": p["connection"].get("interface-name"),
        "mtu": p.get("ethernet", {}).get("mtu"),
        "mac": (p.get("ethernet", {}).get("cloned-mac-address") or "").lower() or None,
    }


def expect(
    ipv4: str = "auto",
    ipv6: str = "auto",
    address: str | None = None,
    gateway: str | None = None,
    dns: tuple[str, ...] = (),
    hostname: str | None = None,
    interface: str | None = None,
    mtu: str | None = None,
    mac: str | None = None,
) -> dict[str, Any]:
    """What the answers say, in the terms `configured` reports (IPv4 servers first, as
    NetworkManager files each server under its address family)."""
    return {
        "ipv4": ipv4,
        "ipv6": ipv6,
        "address": address,
        "gateway": gateway,
        "dns": sorted(dns, key=lambda s: ":" in s),
        "hostname": hostname,
        "interface": interface,
        "mtu": mtu,
        "mac": mac,
    }


def written_append(a: Answers) -> str:
    """The append line of the pxelinux file zwizard writes for these answers."""
    result = build(a)
    assert result.ok, [str(f) for f in result.findings if f.severity == "error"]
    text = result.files["pxelinux.cfg/default"]
    return next(line for line in text.splitlines() if line.startswith("append "))[7:]


def from_answers(a: Answers) -> dict[str, Any]:
    """What an example's answers say, read from their keys (no dracut form here)."""
    pxe = a.pxe
    servers = [pxe.nameserver] if isinstance(pxe.nameserver, str) else pxe.nameserver or []
    if pxe.ip in ("dhcp", "dhcp6", "auto6"):
        v4 = "disabled" if pxe.ip != "dhcp" else "auto"
        return expect(v4, "auto", dns=tuple(servers), hostname=pxe.hostname,
                      interface=pxe.interface)  # fmt: skip
    assert pxe.ip == "static", f"give {a.guest.name}'s dracut form an expectation of its own"
    assert pxe.address is not None
    net = ipaddress.ip_interface(
        pxe.address if "/" in pxe.address else f"{pxe.address}/{pxe.netmask}"
    )
    plan = make_plan(a)
    nic = plan.boot_nic()
    iface = pxe.interface or interface_name(plan.ccw[f"nics[{nic}]"])
    v6 = net.version == 6
    return expect("disabled" if v6 else "manual", "manual" if v6 else "disabled",
                  address=f"{net.ip}/{net.network.prefixlen}", gateway=pxe.gateway,
                  dns=tuple(servers), hostname=pxe.hostname or a.guest.name,
                  interface=iface)  # fmt: skip


@pytest.mark.parametrize("path", PXE_EXAMPLES, ids=lambda p: p.stem)
def test_the_installer_reads_each_example_as_its_answers_say(generator, path):
    a, _ = load(path)
    line = written_append(a)
    assert configured(line) == from_answers(a), line


V4 = {"ip": "static", "address": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1"}
STATIC4 = {"ipv4": "manual", "ipv6": "disabled"}
STATIC6 = {"ipv4": "disabled", "ipv6": "manual"}
FORMS = [
    ("dhcp", {}, expect()),
    ("dhcp-nameserver", {"nameserver": "10.0.0.53"}, expect(dns=("10.0.0.53",))),
    ("dhcp-nameservers-v4-v6", {"nameserver": ["10.0.0.53", "2001:db8::53", "10.0.0.54"]},
     expect(dns=("10.0.0.53", "2001:db8::53", "10.0.0.54"))),
    ("dhcp-hostname-interface", {"hostname": "db01", "interface": "enc600"},
     expect(hostname="db01", interface="enc600")),
    ("dhcp-interface", {"interface": "enc600"}, expect(interface="enc600")),
    ("dhcp6", {"ip": "dhcp6", "nameserver": ["2001:db8::53"]},
     expect("disabled", dns=("2001:db8::53",))),
    ("auto6-hostname", {"ip": "auto6", "hostname": "db01.example.com"},
     expect("disabled", hostname="db01.example.com")),
    ("static", V4, expect(**STATIC4, address="10.0.0.5/24", gateway="10.0.0.1",
                          hostname="web01", interface="enc600")),
    ("static-cidr", {**V4, "address": "10.0.16.5/20", "netmask": None, "gateway": "10.0.16.1"},
     expect(**STATIC4, address="10.0.16.5/20", gateway="10.0.16.1", hostname="web01",
            interface="enc600")),
    ("static-hostname-interface", {**V4, "hostname": "db01.example.com", "interface": "enc1"},
     expect(**STATIC4, address="10.0.0.5/24", gateway="10.0.0.1",
            hostname="db01.example.com", interface="enc1")),
    ("static-nameservers", {**V4, "nameserver": ["10.0.0.53", "10.0.0.54", "10.0.1.53"]},
     expect(**STATIC4, address="10.0.0.5/24", gateway="10.0.0.1", hostname="web01",
            interface="enc600", dns=("10.0.0.53", "10.0.0.54", "10.0.1.53"))),
    # no gateway: dracut leaves it optional; a flat install LAN (a warning, not refused)
    ("static-no-gateway", {**V4, "gateway": None},
     expect(**STATIC4, address="10.0.0.5/24", hostname="web01", interface="enc600")),
    ("dracut-no-gateway", {"ip": "10.1.2.31:::255.255.255.0:db01:enc2:none"},
     expect(**STATIC4, address="10.1.2.31/24", hostname="db01", interface="enc2")),
    ("dracut", {"ip": "10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none"},
     expect(**STATIC4, address="10.1.2.3/24", gateway="10.1.2.1", hostname="db01",
            interface="enc1")),
    ("dracut-prefix-defaults", {"ip": "10.1.2.3::10.1.2.1:23:::none"},
     expect(**STATIC4, address="10.1.2.3/23", gateway="10.1.2.1", hostname="web01",
            interface="enc600")),
    ("dracut-mtu", {"ip": "10.1.2.3::10.1.2.1:24:db01:enc1:none:9000"},
     expect(**STATIC4, address="10.1.2.3/24", gateway="10.1.2.1", hostname="db01",
            interface="enc1", mtu="9000")),
    ("dracut-mtu-mac", {"ip": "10.1.2.3::10.1.2.1:24:db01:enc1:none:68:52:54:00:aa:bb:cc"},
     expect(**STATIC4, address="10.1.2.3/24", gateway="10.1.2.1", hostname="db01",
            interface="enc1", mtu="68", mac="52:54:00:aa:bb:cc")),
    ("dracut-mac", {"ip": "10.1.2.3::10.1.2.1:24:db01:enc1:none::02:00:00:00:00:01"},
     expect(**STATIC4, address="10.1.2.3/24", gateway="10.1.2.1", hostname="db01",
            interface="enc1", mac="02:00:00:00:00:01")),
    ("ipv6-keys", {"ip": "static", "address": "2001:db8::5/64", "gateway": "2001:db8::1",
                   "nameserver": ["2001:db8::53", "2001:db8::54"]},
     expect(**STATIC6, address="2001:db8::5/64", gateway="2001:db8::1", hostname="web01",
            interface="enc600", dns=("2001:db8::53", "2001:db8::54"))),
    ("ipv6-dracut", {"ip": "[2001:db8::5]::[2001:db8::1]:64:host6:enc1:none",
                     "nameserver": "2001:db8::53"},
     expect(**STATIC6, address="2001:db8::5/64", gateway="2001:db8::1", hostname="host6",
            interface="enc1", dns=("2001:db8::53",))),
    ("ipv6-link-local-gateway-mtu-mac",
     {"ip": "[2001:db8:0:1::5]::[fe80::1]:56:host6:enc1:none:1400:52:54:00:00:00:01"},
     expect(**STATIC6, address="2001:db8:0:1::5/56", gateway="fe80::1", hostname="host6",
            interface="enc1", mtu="1400", mac="52:54:00:00:00:01")),
]  # fmt: skip


@pytest.mark.parametrize(("pxe", "said"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS])
def test_the_installer_reads_every_form_as_the_answers_say(generator, pxe, said):
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, **pxe})
    line = written_append(a)
    assert configured(line) == said, line


# What zwizard refuses, and what the installer would have made of it: the append line
# as it would be written, NetworkManager's reading of it, and the part that differs.
MISREAD = [
    ("netmask-not-contiguous", {**V4, "netmask": "255.0.255.0"}, "pxe.netmask",
     lambda got: got["address"] == "10.0.0.5/24"),  # a prefix the answers never gave
    ("ipv6-nameserver-static-ipv4", {**V4, "nameserver": ["10.0.0.53", "2001:db8::53"]},
     "pxe.nameserver[1]", lambda got: got["dns"] == ["10.0.0.53"]),
    ("ipv4-nameserver-dhcp6", {"ip": "dhcp6", "nameserver": "10.0.0.53"}, "pxe.nameserver",
     lambda got: got["dns"] == []),
    ("ipv4-nameserver-static-ipv6", {"ip": "static", "address": "2001:db8::5/64",
                                     "gateway": "2001:db8::1", "nameserver": "10.0.0.53"},
     "pxe.nameserver", lambda got: got["dns"] == []),
    ("duplicate-nameserver", {"nameserver": ["10.0.0.53", "10.0.0.53"]}, "pxe.nameserver[1]",
     lambda got: got["dns"] == ["10.0.0.53"]),
    ("host-name-systemd-refuses", {**V4, "hostname": "db_01"}, "pxe.hostname",
     lambda got: got["hostname"] is None),
]  # fmt: skip


@pytest.mark.parametrize(("pxe", "path", "misread"), [m[1:] for m in MISREAD],
                         ids=[m[0] for m in MISREAD])  # fmt: skip
def test_what_zwizard_refuses_the_installer_would_misread(generator, pxe, path, misread):
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, **pxe})
    refused = [f for f in check(a) if f.severity == "error"]
    assert [(f.rule, f.path) for f in refused] == [("pxe-config", path)]
    line = append_line(a, make_plan(a))
    hostname, profiles, _ = nm_read(line)
    (p,) = profiles
    got = {
        "address": p["ipv4"].get("address1", "").partition(",")[0] or None,
        "dns": [s for fam in ("ipv4", "ipv6") for s in p[fam].get("dns", "").split(";") if s],
        "hostname": hostname,
    }
    assert misread(got), (line, got)


@pytest.mark.parametrize(
    ("word", "warning"),
    [("ip=10.0.0.5:10.0.0.9:10.0.0.1:24:h:enc1:none", "Ignoring peer"),
     ("nameserver=fe80::1%enc1", "Unknown address family")],
)  # fmt: skip
def test_forms_zwizard_refuses_in_its_keys_are_ones_the_installer_ignores(generator, word,
                                                                          warning):  # fmt: skip
    key, _, value = word.partition("=")
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, ("ip" if key == "ip" else key): value})
    assert [f.path for f in check(a) if f.severity == "error"] == [f"pxe.{key}"]
    _, _, warnings = nm_read(f"ip=dhcp {word}" if key != "ip" else word)
    assert any(warning in w for w in warnings), warnings
