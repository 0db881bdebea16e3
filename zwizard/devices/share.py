"""Shares: host directories given to the guest over virtiofs (vhost-user-fs-ccw), each
served by a virtiofsd that libvirt starts. virtiofs needs the guest's memory shared
with that process, so the renderer backs memory with memfd, shared."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from zwizard.devices.base import Field, HostJudge, Kind, Reader, sub, write_ccw
from zwizard.findings import reports
from zwizard.model import Answers, Share

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

# QEMU 7.2 at start: "tag property must be 36 bytes or less" (hw/virtio/vhost-user-fs.c,
# the tag field of struct virtio_fs_config), seen here
MAX_TAG_BYTES = 36
# where Debian, RHEL and Fedora install the daemon libvirt starts for each share
VIRTIOFSD = ("/usr/libexec/virtiofsd", "/usr/lib/qemu/virtiofsd", "/usr/bin/virtiofsd")


def write(devices: Element, answers: Answers, i: int, plan: Plan) -> None:
    share = answers.shares[i]
    el = sub(devices, "filesystem", type="mount", accessmode="passthrough")
    sub(el, "driver", type="virtiofs", **({"queue": str(share.queue)} if share.queue else {}))
    if share.binary or share.xattr is not None or share.cache:
        binary = sub(el, "binary", **({"path": share.binary} if share.binary else {}))
        if share.xattr is not None:
            binary.set("xattr", "on" if share.xattr else "off")
        if share.cache:
            sub(binary, "cache", mode=share.cache)
    sub(el, "source", dir=share.source)
    sub(el, "target", dir=share.tag)
    if share.readonly:  # libvirt 11.0 and later (rule share, zwizard.stack_versions)
        sub(el, "readonly")
    write_ccw(el, plan.ccw.get(f"shares[{i}]"))


def read(r: Reader, el: etree._Element, path: str) -> Share | None:
    driver = el.find("driver")
    kind = r.get(driver, "type") if driver is not None else None
    boot = el.find("boot")
    if boot is not None:
        r.finding(
            boot,
            "boot-order",
            "error",
            "a filesystem cannot carry a boot order here (libvirt supports booting from "
            "virtiofs only with PCI, which IBM Z guests do not have)",
        )
        r.lost(boot, "the share's boot order")
    source, target = el.find("source"), el.find("target")
    mount = r.get(el, "type", "mount") == "mount"
    if kind in (None, "path", "handle") and mount:  # QEMU's 9p (virtio-9p-ccw)
        r.finding(
            el,
            "share",
            "warning",
            f"a 9p share ({kind or 'default'} driver) cannot start on RHEL: Red Hat builds "
            "qemu-kvm without 9p (qemu-kvm.spec: --disable-virtfs; its s390x device list has "
            "no CONFIG_VIRTIO_9P); share the directory over virtiofs ([[shares]] source, tag)",
        )
    if kind != "virtiofs" or not mount or source is None:
        r.lost(el, f"filesystem {kind or '9p'} share (only virtiofs mounts are carried)")
        return None
    r.get(el, "accessmode")  # passthrough: the only mode virtiofs has
    readonly = el.find("readonly")
    r.take(readonly)  # carried: the rules judge it against the stack (libvirt 11.0 and later)
    share = Share(source=r.get(source, "dir") or "", tag=r.get(target, "dir") or "")
    share.readonly = readonly is not None
    queue = r.get(driver, "queue")
    share.queue = int(queue) if queue is not None and queue.isdigit() else None
    binary = el.find("binary")
    if binary is not None:
        r.take(binary)
        share.binary = r.get(binary, "path")
        xattr = r.get(binary, "xattr")
        share.xattr = None if xattr not in ("on", "off") else xattr == "on"
        cache = binary.find("cache")
        share.cache = r.get(cache, "mode") if cache is not None else None
    share.ccw = r.address(el, path)
    return share


@reports("share")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    for i, share in enumerate(a.shares):
        p = f"shares[{i}]"
        if not share.source.startswith("/"):
            out.error(
                "share", f"{p}.source", f"'{share.source}' must be an absolute host directory"
            )
        if not share.tag:
            out.error("share", f"{p}.tag", "a share needs the tag the guest mounts it by")
        elif len(share.tag.encode()) > MAX_TAG_BYTES:
            out.error(
                "share",
                f"{p}.tag",
                f"tag '{share.tag}' is {len(share.tag.encode())} bytes: QEMU takes at most "
                f'{MAX_TAG_BYTES} ("tag property must be 36 bytes or less")',
            )
        if share.binary is not None and not share.binary.startswith("/"):
            out.error("share", f"{p}.binary", f"'{share.binary}' must be an absolute host path")
        if share.cache not in (None, "none", "always"):
            # libvirt's schema (domaincommon.rng fsBinary, 9.0 and 11.3) takes only these;
            # virtiofsd's own 'auto' is what leaving the mode out gives
            out.error(
                "share",
                f"{p}.cache",
                f"cache mode '{share.cache}': libvirt takes none or always (leave it out for "
                "virtiofsd's default, auto)",
            )
        if share.queue is not None and not 1 <= share.queue <= 1024:
            out.error("share", f"{p}.queue", f"queue {share.queue}: give 1 to 1024")
    for tag, count in Counter(s.tag for s in a.shares if s.tag).items():
        if count > 1:
            out.error(
                "share",
                "shares",
                f"{count} shares use tag '{tag}': the guest could mount only one of them",
            )


@reports("share")
def check_host(a: Answers, host: HostInfo, judge: HostJudge) -> None:
    if a.shares and judge.target and host.sysfs:
        import os

        if not any(os.path.exists(p) for p in VIRTIOFSD):
            judge.report(
                "share",
                "shares",
                "this host has no virtiofsd (apt install virtiofsd, or dnf install virtiofsd): "
                "libvirt starts one for each share",
            )


def _missing(share: Share) -> list[str]:
    return [k for k in ("source", "tag") if not getattr(share, k)]


KIND = Kind(
    key="shares",
    noun="share",
    tags=("filesystem",),
    write=write,
    read=read,
    check=check,
    missing=_missing,
    check_host=check_host,
    # asked after the directory and tag; greyed, with the versions, where the stack
    # judged has no read-only virtiofs (libvirt before 11.0)
    fields=(
        Field(
            "readonly",
            "read-only (virtiofs <readonly/>, libvirt 11.0 and later)",
            choices=((False, "read-write"), (True, "read-only")),
        ),
    ),
    options=(
        Field("source", "host directory", text="str", placeholder="(an absolute path)"),
        Field(
            "tag",
            "mount tag (mount -t virtiofs TAG /mnt)",
            text="str",
            placeholder="(up to 36 bytes)",
        ),
    ),
    adds=(("share", lambda: Share()),),
)
