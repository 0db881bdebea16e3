"""Real-world input forms, read the way the tool that documents them reads them.

Each parser cites where its form is defined, so a refusal can say which forms
exist. They return None (or a reason) instead of raising: rules report, plans
resolve, and nothing here ever coerces a value silently.
"""

from __future__ import annotations

import re

from zwizard.lazy import Pattern
from zwizard.structure import record

# --- anaconda: inst.repo= and inst.ks= -------------------------------------------------
# anaconda docs/boot-options.rst (rhel-9 branch), "inst.repo": cdrom, cdrom:<device>,
# hd:<device>:<path>, [http,https,ftp]://<host>/<path>, nfs:[<options>:]<server>:/<path>;
# RHEL 9 "Boot options reference" adds hmc (IBM Z: the HMC's DVD drive).
REPO_FORMS = (
    "http://<host>/<path>, https://…, ftp://…, nfs:[<options>:]<server>:/<path>, "
    "hd:<device>:<path>, cdrom, cdrom:<device>, hmc"
)
_URL = Pattern(r"(?:https?|ftp)://[^\s/]+(?:/\S*)?", re.IGNORECASE)
_NFS = Pattern(r"nfs:(?:[^\s:/]+:)?[^\s:/]+:/\S*", re.IGNORECASE)
_HD = Pattern(r"hd:[^\s:]+(?::\S*)?", re.IGNORECASE)
_CDROM = Pattern(r"cdrom(?::\S+)?", re.IGNORECASE)
# inst.ks= (same page, "inst.ks"): the repo's network forms plus file:/<path>, hd:, cdrom:, bd:
KS_FORMS = "http://…, https://…, ftp://…, nfs:[<options>:]<server>:/<path>, file:/<path>, hd:…"
_KS_OTHER = Pattern(r"(?:file:/|hd:|cdrom:|bd:)\S+", re.IGNORECASE)


def repo_form(text: str) -> str | None:
    """The anaconda form `text` is in (url, nfs, hd, cdrom, hmc), or None."""
    if _URL.fullmatch(text):
        return "url"
    if _NFS.fullmatch(text):
        return "nfs"
    if _HD.fullmatch(text):
        return "hd"
    if _CDROM.fullmatch(text):
        return "cdrom"
    if text.lower() == "hmc":
        return "hmc"
    return None


def repo_suggestion(text: str) -> str | None:
    """A schemeless `host/path` (the RHEL doc's own example) -> the http URL meant."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}(?::\d+)?/\S*", text):
        return "http://" + text
    if text.lower().startswith("nfs://"):
        host, _, path = text[6:].partition("/")
        return f"nfs:{host}:/{path}" if host else None
    return None


def kickstart_ok(text: str) -> bool:
    return bool(_URL.fullmatch(text) or _NFS.fullmatch(text) or _KS_OTHER.fullmatch(text))


# --- dracut: ip= ------------------------------------------------------------------------
# dracut.cmdline(7), "ip=<client-IP>:[<peer>]:<gateway-IP>:<netmask>:<client_hostname>:
# <interface>:{none|off|dhcp|on|any|dhcp6|auto6|ibft}[:[<mtu>][:<macaddr>]]" — the form
# RHEL's s390x installation docs print for static addresses. "If you want do define a IPv6
# address, put it in brackets (e.g. [2001:DB8::1])"; for IPv6 the netmask field holds the
# prefix length. RHEL 9's initrd reads it with NetworkManager's nm-initrd-generator
# (src/nm-initrd-generator/nmi-cmdline-reader.c), which ignores the peer ("not
# implemented"), sets the MTU and the MAC (cloned-mac-address) of the interface.
DRACUT_AUTOCONF = ("none", "off", "dhcp", "on", "any", "dhcp6", "auto6", "ibft")
DRACUT_STATIC = (
    "<address>::<gateway>:<netmask>:<hostname>:<interface>:none[:<mtu>[:<macaddr>]] "
    "(IPv6: [2001:db8::5]::[2001:db8::1]:64:<hostname>:<interface>:none)"
)


@record(frozen=True)
class StaticIp:
    address: str | None
    gateway: str | None
    netmask: str | None  # IPv4: the dotted netmask; IPv6: the prefix length
    hostname: str | None
    interface: str | None
    mtu: str | None = None  # dracut's <mtu> field, as written
    macaddr: str | None = None  # dracut's <macaddr> field, as written

    @property
    def ipv6(self) -> bool:
        return ":" in (self.address or "")


def dracut_fields(text: str) -> list[str] | None:
    """dracut's ip= split at ':' as dracut reads it: a field in brackets (an IPv6
    address) is one field, brackets kept; None when a bracket is not closed or is not
    a whole field."""
    out: list[str] = []
    rest = text
    while True:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0 or rest[end + 1 : end + 2] not in ("", ":"):
                return None
            out.append(rest[: end + 1])
            rest = rest[end + 1 :]
        else:
            head, _, _ = rest.partition(":")
            if "[" in head or "]" in head:
                return None
            out.append(head)
            rest = rest[len(head) :]
        if not rest:
            return out
        rest = rest[1:]  # the ':'
        if not rest:
            out.append("")
            return out


def _unbracket(field: str) -> str | None:
    return (field[1:-1] if field.startswith("[") else field) or None


def parse_dracut_ip(text: str) -> StaticIp | str:
    """`10.1.2.3::10.1.2.1:255.255.255.0:host:enc1:none` (or with an IPv6 address in
    brackets, an MTU and a MAC) -> StaticIp, or why not."""
    parts = dracut_fields(text)
    if parts is None:
        return f"a '[' without its ']' or not around a whole field; dracut's form: {DRACUT_STATIC}"
    if "[" not in text and _unbracketed_ipv6(parts):
        return (
            "an IPv6 address in dracut's ip= goes in brackets (dracut.cmdline(7)): " + DRACUT_STATIC
        )
    if len(parts) < 7:
        return f"dracut's static form has 7 fields: {DRACUT_STATIC}"
    if parts[6] not in ("none", "off"):
        return (
            f"autoconf '{parts[6]}' in a static ip=: use none (or ip = {parts[6]} alone, "
            "with pxe.hostname and pxe.interface if they are wanted)"
        )
    if parts[1]:
        return (
            f"the peer field ('{parts[1]}', for point-to-point links) is ignored by RHEL 9's "
            "initrd (NetworkManager: 'Ignoring peer ... not implemented'): leave it empty"
        )
    if any(p.startswith("[") for i, p in enumerate(parts) if i not in (0, 2)):
        return f"only the address and the gateway take brackets; dracut's form: {DRACUT_STATIC}"
    address, gateway = _unbracket(parts[0]), _unbracket(parts[2])
    netmask = parts[3] or None
    v6 = parts[0].startswith("[")
    if netmask and netmask.isdigit() and not v6:  # dracut also takes a prefix length there
        netmask = prefix_netmask(int(netmask)) or netmask
    mtu = parts[7] if len(parts) > 7 and parts[7] else None
    mac = ":".join(parts[8:]) if len(parts) > 8 else None
    return StaticIp(address, gateway, netmask, parts[4] or None, parts[5] or None, mtu, mac or None)


def _unbracketed_ipv6(parts: list[str]) -> bool:
    """The fields start with an IPv6 address that dracut would split at its colons."""
    import ipaddress

    if not parts[0]:  # '::' alone is no address here: the empty client-IP field
        return False
    for n in range(3, min(len(parts), 9) + 1):
        try:
            ipaddress.IPv6Address(":".join(parts[:n]))
        except ValueError:
            continue
        return True
    return False


def prefix_netmask(prefix: int) -> str | None:
    """24 -> 255.255.255.0 (None outside 0-32)."""
    if not 0 <= prefix <= 32:
        return None
    bits = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return ".".join(str((bits >> s) & 0xFF) for s in (24, 16, 8, 0))


def split_cidr(text: str) -> tuple[str, str | None] | None:
    """`10.0.0.50/24` -> ('10.0.0.50', '255.255.255.0'); an IPv6 address keeps its prefix
    length (`2001:db8::5/64` -> ('2001:db8::5', '64')); None when there is no prefix.
    The mask is None when the prefix is out of range for the address."""
    address, sep, prefix = text.partition("/")
    if not sep:
        return None
    if ":" in address:
        ok = prefix.isdigit() and prefix.isascii() and 0 <= int(prefix) <= 128
        return address, str(int(prefix)) if ok else None
    mask = prefix_netmask(int(prefix)) if prefix.isdigit() and prefix.isascii() else None
    return address, mask


def ip_problem(value: str, family: int | None = None) -> str | None:
    """Why `value` is not an address of `family` (4, 6, or either) the installer reads
    as written, or None. No IPv6 zone (`%enc1`): NetworkManager's reader refuses it
    ('Unknown address family')."""
    import ipaddress

    what = {4: "an IPv4 address", 6: "an IPv6 address"}.get(family or 0, "an IPv4 or IPv6 address")
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        hint = " (write it without brackets)" if value.startswith("[") else ""
        return f"'{value}' is not {what}{hint}"
    if family is not None and addr.version != family:
        return f"'{value}' is not {what}"
    if getattr(addr, "scope_id", None) is not None:
        return f"'{value}' carries a zone ('%…'), which the installer does not read"
    return None


def netmask_problem(netmask: str) -> str | None:
    """Why a dotted IPv4 netmask is not one (its ones contiguous), or None: an address
    with a netmask like 255.0.255.0 has no prefix, and NetworkManager reads it as one
    anyway (/24 for 255.0.255.0)."""
    import ipaddress

    if ip_problem(netmask, 4) is not None:
        return f"'{netmask}' is not an IPv4 netmask"
    bits = int(ipaddress.IPv4Address(netmask))
    inverted = ~bits & 0xFFFFFFFF
    if inverted & (inverted + 1):
        return (
            f"netmask '{netmask}' has its ones apart: a netmask is ones then zeros (255.255.255.0)"
        )
    return None


def gateway_problem(address: str, netmask: str, gateway: str) -> str | None:
    """Why the gateway cannot be reached from the address's subnet, or None (an IPv6
    link-local gateway, as routers advertise, is on every link). The three must be valid."""
    import ipaddress

    net = ipaddress.ip_network(f"{address}/{netmask}", strict=False)
    gw = ipaddress.ip_address(gateway)
    if gw in net or (gw.version == 6 and gw.is_link_local):
        return None
    return (
        f"gateway {gateway} is outside {net}, the subnet of {address}: the installer could "
        "not reach it (no default route); give the gateway of the guest's LAN"
    )


# dracut and the kernel: an MTU the interface takes. 68 is the IPv4 minimum (RFC 791;
# the kernel's ETH_MIN_MTU), 65535 the largest a virtio-net device offers (MAX_MTU).
MTU_MIN, MTU_MAX = 68, 65535
# A MAC the kernel sets on an interface: six hex pairs, neither multicast nor all zero
# (is_valid_ether_addr, include/linux/etherdevice.h).
_MAC = Pattern(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")


def mtu_problem(text: str) -> str | None:
    if not (text.isascii() and text.isdigit()) or not MTU_MIN <= int(text) <= MTU_MAX:
        return f"MTU '{text}' must be a whole number from {MTU_MIN} to {MTU_MAX} (bytes)"
    return None


def mac_problem(text: str) -> str | None:
    if not _MAC.fullmatch(text):
        return f"'{text}' is not a MAC address (aa:bb:cc:dd:ee:ff)"
    if int(text[:2], 16) & 1:
        return f"'{text}' is a multicast address: the kernel sets no such MAC on an interface"
    if int(text.replace(":", ""), 16) == 0:
        return f"'{text}' is all zeros: the kernel sets no such MAC on an interface"
    return None


# --- systemd and the kernel: host and interface names ------------------------------------
# systemd's hostname_is_valid (src/basic/hostname-util.c), which NetworkManager's initrd
# reader (RHEL 9's nm-initrd-generator) applies to ip='s host name field and drops a name
# that fails: letters, digits and '-' in dot-separated labels, no label starting or ending
# with '-', at most HOST_NAME_MAX (64) in all. It has no label limit of its own: a label of
# 64 is kept (nm-initrd-generator, seen by tests/system/test_stack_accepts.py), where RFC
# 1123's DNS would cap it at 63; the installer is what reads it, so its rule is the rule.
_HOST_LABEL = Pattern(r"(?!-)[A-Za-z0-9-]{1,64}(?<!-)")
HOSTNAME_FORM = (
    "letters, digits and '-' in labels separated by '.', no label starting or ending with "
    "'-', at most 64 in all (systemd's hostname_is_valid)"
)


def hostname_ok(text: str) -> bool:
    return 0 < len(text) <= 64 and all(_HOST_LABEL.fullmatch(p) for p in text.split("."))


# A kernel interface name as dev_valid_name (net/core/dev.c) takes it, and no stricter than
# libvirt's schema for <source bridge/dev> and <target dev>: 1-15 of letters, digits, '_',
# '.', '-', not '.' or '..'; zwizard also refuses a leading '-' (it would reach ip(8) or
# virsh as an option).
_IFNAME = Pattern(r"(?!-)(?!\.\.?$)[A-Za-z0-9_.\-]{1,15}")
IFNAME_FORM = "1-15 of letters, digits, '_', '.', '-', not starting with '-', not '.' or '..'"


def ifname_ok(text: str) -> bool:
    return bool(_IFNAME.fullmatch(text))


# --- the TFTP root -----------------------------------------------------------------------
# The s390-ccw firmware asks the TFTP server for the kernel and initrd by the pxelinux
# file's path; tftpd and libvirt's dnsmasq read it below their root, where a leading '/'
# means the root itself. zwizard prepare also copies and fetches the files there as root,
# so a path must stay below the root as written: no '..', no empty or '.' component, and no
# leading '-' (it would reach a command as an option).


# characters drawn like '/' (Unicode's confusables for SOLIDUS): in a path they make it
# read as other folders than it names
LOOKALIKE_SLASHES = "\u2215\u2044\uff0f\u29f8\u2571\u27cb\u1735\u3033\u30ce\u4e3f"


def tftp_path_problem(text: str) -> str | None:
    """Why `text` cannot name a file below the TFTP root, or None."""
    rel = text[1:] if text.startswith("/") else text
    parts = rel.split("/")
    if not rel or any(p == "" for p in parts):
        return "an empty path component ('//' or a trailing '/'): name the file"
    if any(p in (".", "..") for p in parts):
        return "'.' and '..' are not allowed: the path must stay below the TFTP root as written"
    if rel.startswith("-"):
        return "a path starting with '-' would reach a command as an option"
    for char in rel:
        if char in LOOKALIKE_SLASHES:
            return (
                f"U+{ord(char):04X} looks like '/' but is not one: the path would read as "
                "other folders than it names"
            )
    if "\\" in rel:
        return "'\\' is not a path separator here (dnsmasq's TFTP reads it as '/'): use '/'"
    return None


def tftp_root_problem(text: str) -> str | None:
    """Why `text` cannot be the install server's TFTP root, or None."""
    import posixpath

    if not text.startswith("/"):
        return "the TFTP root must be an absolute path (e.g. /var/lib/tftpboot)"
    if text.rstrip("/") == "":
        return "'/' would serve the whole file system over TFTP: give a folder of its own"
    norm = "/" + posixpath.normpath(text).lstrip("/")
    if norm != text.rstrip("/") or "//" in text:
        return f"not a normalised path: write {norm}"
    return None


# --- libvirt numbers --------------------------------------------------------------------


def c_ulong(text: str | None) -> int | None:
    """A number as libvirt reads ccw ids (virStrToLong_uip, base 0): 0x-hex, 0-octal or
    decimal, so `254` and `0xfe` are the same cssid."""
    if text is None:
        return None
    t = text.strip()
    try:
        if t.lower().startswith("0x"):
            return int(t[2:], 16)
        if len(t) > 1 and t.startswith("0"):
            return int(t[1:], 8)
        return int(t, 10) if t.isdigit() else None
    except ValueError:
        return None


# --- XML text ---------------------------------------------------------------------------
# XML 1.0 Char: tab, LF, CR and everything from U+0020 except surrogates, U+FFFE/U+FFFF.
_NOT_XML = Pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# DEL and the C1 controls are XML characters, but control characters all the same: a
# terminal acts on them (U+009B is CSI), and no name, path or title holds one; the one
# multi-line text (a description) carries what libvirt keeps there, shown escaped
_CONTROL = Pattern("[\x7f-\x9f]")


def bad_character(text: str, *, newlines: bool = False) -> str | None:
    """Describe the first character that cannot be written (or, unless `newlines`,
    a line break, which would split a one-line value); None when all are fine."""
    bad = _NOT_XML.search(text) or (None if newlines else _CONTROL.search(text))
    if bad is None and not newlines:
        bad = re.search("[\n\r]", text)
    if bad is None:
        return None
    return f"U+{ord(bad.group()):04X} at position {bad.start() + 1}"
