"""Every installer form the PXE keys take (issue 24), judged by the rules engine alone.

Each form is read as dracut.cmdline(7) documents it and as RHEL 9's initrd reads it
(NetworkManager's nm-initrd-generator: tests/system/test_installer_reads.py runs the real
one over the same forms); each check has a refused and an allowed case, all under the
rule `pxe-config` (docs/rules.md).
"""

from __future__ import annotations

import pytest

from tests.helpers import answers, data
from zwizard.answers import AnswersError, from_data
from zwizard.model import Answers
from zwizard.plan import make_plan
from zwizard.render.pxe import append_line
from zwizard.rules import check
from zwizard.session import Session, parse_list

BOOT_NIC = [{"source": {"network": "default"}, "boot_order": 1, "ccw": "fe.0.0600"}]
DISK2 = [{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 2}]
PXE = {"enabled": True, "repo": "http://install.example.com/rhel9/BaseOS/s390x/os/"}
V4 = {"ip": "static", "address": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1"}
V6 = {"ip": "static", "address": "2001:db8::5/64", "gateway": "2001:db8::1"}


def guest(**pxe: object) -> Answers:
    return answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, **pxe})


def refusals(a: Answers) -> list[tuple[str, str]]:
    return [(f.rule, f.path) for f in check(a) if f.severity == "error"]


def messages(a: Answers, path: str) -> list[str]:
    return [f.message for f in check(a) if f.severity == "error" and f.path == path]


def ip_arg(a: Answers) -> str:
    return append_line(a, make_plan(a)).split()[0]


def args(a: Answers, name: str) -> list[str]:
    return [w for w in append_line(a, make_plan(a)).split() if w.startswith(name + "=")]


# --- several name servers (dracut.cmdline(7): nameserver= given several times) -----------


def test_a_list_of_name_servers_is_written_one_argument_each_ipv4_and_ipv6():
    a = guest(nameserver=["10.0.0.53", "2001:db8::53", "10.0.0.54"])
    assert refusals(a) == []
    assert args(a, "nameserver") == [
        "nameserver=10.0.0.53", "nameserver=2001:db8::53", "nameserver=10.0.0.54"
    ]  # fmt: skip


def test_one_name_server_is_still_a_string_and_an_empty_list_writes_none():
    assert args(guest(nameserver="10.0.0.53"), "nameserver") == ["nameserver=10.0.0.53"]
    assert args(guest(nameserver=[]), "nameserver") == []
    assert refusals(guest(nameserver=[])) == []


def test_a_name_server_in_a_list_that_is_no_address_is_refused_at_its_index():
    assert refusals(guest(nameserver=["10.0.0.53", "dns.example.com"])) == [
        ("pxe-config", "pxe.nameserver[1]")
    ]
    assert refusals(guest(nameserver=["10.0.0.53", "10.0.0.54"])) == []


@pytest.mark.parametrize("value", [53, ["10.0.0.53", 53], {"a": "10.0.0.53"}])
def test_a_name_server_that_is_not_a_string_or_strings_is_refused_when_read(value):
    with pytest.raises(AnswersError) as refused:
        from_data(data(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "nameserver": value}), "<t>")
    assert "pxe.nameserver" in str(refused.value)


@pytest.mark.parametrize(
    ("server", "why"),
    [("fe80::1%enc1", "zone"), ("[2001:db8::53]", "without brackets"),
     ("10.0.0.53 init=/bin/sh", "not an IPv4 or IPv6 address")],
)  # fmt: skip
def test_a_name_server_the_installer_cannot_read_is_refused(server, why):
    (message,) = messages(guest(nameserver=server), "pxe.nameserver")
    assert why in message
    assert refusals(guest(nameserver="fe80::1")) == []  # link-local, without a zone


def test_a_name_server_listed_twice_is_refused():
    (message,) = messages(guest(nameserver=["10.0.0.53", "10.0.0.53"]), "pxe.nameserver[1]")
    assert "listed twice" in message
    assert refusals(guest(nameserver=["10.0.0.53", "10.0.0.54"])) == []


@pytest.mark.parametrize(
    ("pxe", "server", "off"),
    [(V4, "2001:db8::53", "IPv6"), (V6, "10.0.0.53", "IPv4"),
     ({"ip": "dhcp6"}, "10.0.0.53", "IPv4"), ({"ip": "auto6"}, "10.0.0.53", "IPv4")],
)  # fmt: skip
def test_a_name_server_of_a_family_ip_leaves_off_is_refused(pxe, server, off):
    (message,) = messages(guest(**pxe, nameserver=[server]), "pxe.nameserver[0]")
    assert f"leaves {off} off" in message and "drops" in message


@pytest.mark.parametrize(
    ("pxe", "server"),
    [(V4, "10.0.0.53"), (V6, "2001:db8::53"), ({"ip": "dhcp6"}, "2001:db8::53"),
     ({}, "10.0.0.53"), ({}, "2001:db8::53")],
)  # fmt: skip
def test_a_name_server_of_a_family_ip_configures_is_allowed(pxe, server):
    assert refusals(guest(**pxe, nameserver=[server])) == []


def test_more_than_three_name_servers_is_a_warning_not_an_error():
    a = guest(nameserver=["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"])
    assert refusals(a) == []
    (warn,) = [f for f in check(a) if f.path == "pxe.nameserver"]
    assert warn.severity == "warning" and "MAXNS" in warn.message
    assert not [f for f in check(guest(nameserver=["10.0.0.1", "10.0.0.2", "10.0.0.3"]))
                if f.path == "pxe.nameserver"]  # fmt: skip


def test_a_second_nameserver_in_extra_args_is_still_refused_with_a_list():
    a = guest(nameserver=["10.0.0.53"], extra_args="inst.text nameserver=10.0.0.54")
    assert ("pxe-config", "pxe.extra_args") in refusals(a)


def test_the_schema_shows_a_name_server_as_a_string_or_a_list_of_strings():
    from zwizard.model import Answers
    from zwizard.structure import json_schema

    prop = json_schema(Answers)["properties"]["pxe"]["properties"]["nameserver"]
    assert {"type": "string"} in prop["anyOf"]
    assert {"type": "array", "items": {"type": "string"}} in prop["anyOf"]


@pytest.mark.parametrize("text", ["10.0.0.53 10.0.0.54", "10.0.0.53,10.0.0.54",
                                  "10.0.0.53, 10.0.0.54", " 10.0.0.53 ,10.0.0.54 "])  # fmt: skip
def test_name_servers_are_typed_blank_or_comma_separated(text):
    assert parse_list(text, "optional-addr-list") == ["10.0.0.53", "10.0.0.54"]
    session = Session(guest())
    session.set_text("pxe.nameserver", text, "optional-addr-list")
    assert session.answers.pxe.nameserver == ["10.0.0.53", "10.0.0.54"]
    assert session.text_of("pxe.nameserver") == text  # shown as typed


def test_emptying_the_name_servers_field_removes_the_key():
    session = Session(guest(nameserver="10.0.0.53"))
    assert session.text_of("pxe.nameserver") == "10.0.0.53"
    session.set_text("pxe.nameserver", "", "optional-addr-list")
    assert session.answers.pxe.nameserver is None
    # a list that is there by default stays a list (the host-key documents)
    session.set_text("secure_execution.host_key_documents", "", "optional-str-list")
    assert session.answers.secure_execution.host_key_documents == []


# --- static IPv6 (dracut.cmdline(7): the address in brackets, a prefix length) ----------


def test_dracuts_ipv6_form_is_accepted_and_written_as_it_is():
    a = guest(ip="[2001:db8::5]::[2001:db8::1]:64:host6:enc1:none")
    assert refusals(a) == []
    assert ip_arg(a) == "ip=[2001:db8::5]::[2001:db8::1]:64:host6:enc1:none"


def test_an_ipv6_address_with_its_prefix_in_the_keys_is_written_in_dracuts_form():
    a = guest(**V6)
    assert refusals(a) == []
    assert ip_arg(a) == "ip=[2001:db8::5]::[2001:db8::1]:64:web01:enc600:none"


@pytest.mark.parametrize(
    ("pxe", "path", "words"),
    [({**V6, "address": "2001:db8::5"}, "pxe.address", "prefix length after /"),
     ({**V6, "netmask": "255.255.255.0"}, "pxe.address", "leave out pxe.netmask"),
     ({**V6, "address": "2001:db8::5/129"}, "pxe.address", "0-128"),
     ({**V6, "gateway": "10.0.0.1"}, "pxe.gateway", "not an IPv6 address"),
     ({**V6, "gateway": "2001:db9::1"}, "pxe.gateway", "outside 2001:db8::/64"),
     ({**V6, "gateway": "fe80::1%enc1"}, "pxe.gateway", "zone"),
     ({"ip": "2001:db8::5::2001:db8::1:64:h:enc1:none"}, "pxe.ip", "goes in brackets"),
     ({"ip": "[2001:db8::5]::[2001:db8::1]:ffff::h:enc1:none"}, "pxe.ip", None),
     ({"ip": "[2001:db8::5]::[2001:db8::1]:200:h:enc1:none"}, "pxe.ip", "prefix length 0-128"),
     ({"ip": "[2001:db8::5::[2001:db8::1]:64:h:enc1:none"}, "pxe.ip", None),
     ({"ip": "[2001:db8::5]::[2001:db8::1]:64:[h]:enc1:none"}, "pxe.ip", "brackets")],
)  # fmt: skip
def test_an_ipv6_address_the_installer_would_misread_is_refused(pxe, path, words):
    found = messages(guest(**pxe), path)
    assert found, refusals(guest(**pxe))
    assert words is None or any(words in m for m in found), found


@pytest.mark.parametrize(
    "pxe",
    [{**V6, "gateway": "fe80::1"}, {**V6, "address": "2001:db8:0:1::5/56",
                                    "gateway": "2001:db8::1"},
     {"ip": "[2001:db8::5]::[fe80::1]:64:host6:enc1:none"}],
)  # fmt: skip
def test_a_gateway_in_the_subnet_or_link_local_is_allowed_for_ipv6(pxe):
    assert refusals(guest(**pxe)) == []


# --- dracut's :<mtu>:<macaddr> fields ----------------------------------------------------


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none:9000",
     "10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none:68:52:54:00:aa:bb:cc",
     "10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none::02:00:00:00:00:01",
     "10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none:65535",
     "[2001:db8::5]::[2001:db8::1]:64:host6:enc1:none:1400:52:54:00:00:00:01"],
)  # fmt: skip
def test_the_mtu_and_mac_fields_are_accepted_and_written_through(ip):
    a = guest(ip=ip)
    assert refusals(a) == []
    assert ip_arg(a) == f"ip={ip}"


def test_a_prefix_in_the_netmask_field_is_written_as_the_netmask_with_the_mtu_kept():
    a = guest(ip="10.1.2.3::10.1.2.1:24:db01:enc1:none:9000")
    assert ip_arg(a) == "ip=10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none:9000"


@pytest.mark.parametrize(
    ("tail", "words"),
    [("67", "68 to 65535"), ("65536", "68 to 65535"), ("jumbo", "68 to 65535"),
     ("0", "68 to 65535"), ("9000:52:54:00:aa:bb", "not a MAC address"),
     (":52-54-00-aa-bb-cc", "not a MAC address"), (":01:00:5e:00:00:01", "multicast"),
     (":00:00:00:00:00:00", "all zeros"), ("1500:zz:54:00:aa:bb:cc", "not a MAC address")],
)  # fmt: skip
def test_an_mtu_or_mac_the_kernel_would_refuse_is_refused(tail, words):
    found = messages(guest(ip=f"10.1.2.3::10.1.2.1:24:db01:enc1:none:{tail}"), "pxe.ip")
    assert any(words in m for m in found), found


# --- netmasks and gateways ---------------------------------------------------------------


@pytest.mark.parametrize("netmask", ["255.0.255.0", "255.255.255.1", "0.255.255.255"])
def test_a_netmask_whose_ones_are_apart_is_refused(netmask):
    (message,) = messages(guest(**{**V4, "netmask": netmask}), "pxe.netmask")
    assert "ones apart" in message
    found = messages(guest(ip=f"10.0.0.5::10.0.0.1:{netmask}:db01:enc1:none"), "pxe.ip")
    assert any("ones apart" in m for m in found)


@pytest.mark.parametrize("netmask", ["255.255.254.0", "255.255.255.252", "255.0.0.0"])
def test_a_contiguous_netmask_is_allowed(netmask):
    gateway = {"255.255.255.252": "10.0.0.6"}.get(netmask, "10.0.0.1")
    assert refusals(guest(**{**V4, "netmask": netmask, "gateway": gateway})) == []


@pytest.mark.parametrize(
    ("pxe", "path"),
    [({**V4, "gateway": "10.0.1.1"}, "pxe.gateway"),
     ({**V4, "address": "10.0.0.5/30", "netmask": None, "gateway": "10.0.0.9"}, "pxe.gateway"),
     ({"ip": "10.1.2.3::192.168.1.1:255.255.255.0:db01:enc1:none"}, "pxe.ip")],
)  # fmt: skip
def test_a_gateway_outside_the_addresss_subnet_is_refused(pxe, path):
    (message,) = messages(guest(**pxe), path)
    assert "outside" in message and "subnet" in message


@pytest.mark.parametrize(
    "pxe",
    [{**V4, "address": "10.0.16.5/20", "netmask": None, "gateway": "10.0.31.254"},
     {"ip": "10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none"}],
)  # fmt: skip
def test_a_gateway_inside_the_addresss_subnet_is_allowed(pxe):
    assert refusals(guest(**pxe)) == []


def test_a_static_address_that_is_no_address_is_one_error_at_its_key():
    a = guest(**{**V4, "address": "10.0.0.300"})
    assert refusals(a) == [("pxe-config", "pxe.address")]


def test_the_peer_field_the_installer_ignores_is_refused():
    (message,) = messages(guest(ip="10.1.2.3:10.1.2.9:10.1.2.1:24:db01:enc1:none"), "pxe.ip")
    assert "peer" in message and "not implemented" in message
    assert refusals(guest(ip="10.1.2.3::10.1.2.1:24:db01:enc1:none")) == []


# --- host name and interface with an autoconf method -------------------------------------


@pytest.mark.parametrize(
    ("pxe", "written"),
    [({"hostname": "db01", "interface": "enc600"}, "ip=::::db01:enc600:dhcp"),
     ({"hostname": "db01.example.com"}, "ip=::::db01.example.com::dhcp"),
     ({"ip": "dhcp6", "interface": "enc600"}, "ip=:::::enc600:dhcp6"),
     ({}, "ip=dhcp"), ({"ip": "auto6"}, "ip=auto6")],
)  # fmt: skip
def test_a_host_name_and_interface_ride_along_with_dhcp(pxe, written):
    a = guest(**pxe)
    assert refusals(a) == []
    assert ip_arg(a) == written


def test_a_host_name_the_installer_drops_is_refused_with_dhcp_too():
    assert refusals(guest(hostname="db_01")) == [("pxe-config", "pxe.hostname")]
    assert refusals(guest(hostname="db-01")) == []


def test_dracuts_dhcp_form_in_pxe_ip_points_to_the_keys():
    (message,) = messages(guest(ip="::::db01:enc600:dhcp"), "pxe.ip")
    assert "pxe.hostname and pxe.interface" in message
