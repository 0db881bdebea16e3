"""Secure Execution: the host's preflight (facility 158, prot_virt, libvirt's s390-pv),
the host-key documents and certificates judged here, and the image script the guest runs
once installed (pvimg create or genprotimg, then zipl)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from zwizard.findings import reports
from zwizard.prepare.shell import q
from zwizard.prepare.steps import Check, Preparation, Report, Step

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.model import Answers


@reports("se-image", "host-se")
def se_steps(
    prep: Preparation, answers: Answers, host: HostInfo | None, judge: Report, out: Collector
) -> None:
    se = answers.secure_execution
    fixes = {
        "prot_virt": "boot the host with prot_virt=1: add it to the kernel parameters "
        "(grubby --update-kernel=ALL --args=prot_virt=1, or the parameters line of "
        "/etc/zipl.conf), run zipl, reboot",
        "facility": "this machine has no Ultravisor (facility 158): Secure Execution needs "
        "IBM z15 / LinuxONE III or later",
        "domcaps": "libvirt reports no <s390-pv supported='yes'/> (virsh domcapabilities): "
        "KVM, QEMU or libvirt on this host cannot start secure guests",
    }
    prep.checks += [
        Check("grep -qw 158 /proc/cpuinfo", fixes["facility"], "facility 158"),
        Check(
            '[ "$(cat /sys/firmware/uv/prot_virt_host 2>/dev/null)" = 1 ]',
            fixes["prot_virt"],
            "prot_virt=1",
        ),
        Check(
            "LC_ALL=C virsh domcapabilities --virttype kvm | grep -q \"<s390-pv supported='yes'\"",
            fixes["domcaps"],
            "s390-pv in domcapabilities",
        ),
    ]
    if host is not None:
        if host.se.facility_158 is False:
            judge("host-se", "secure_execution.enabled", fixes["facility"])
        if host.se.prot_virt_host is False:
            judge("host-se", "secure_execution.enabled", fixes["prot_virt"])
    if not se.host_key_documents:
        out.error(
            "se-image",
            "secure_execution.host_key_documents",
            "give the host-key document (HKD-*.crt from IBM Resource Link) of every machine "
            "that may run the guest: the secure image is encrypted for exactly those",
        )
    if not se.certificates and not se.no_verify:
        out.error(
            "se-image",
            "secure_execution.certificates",
            "give the IBM Z host-key signing certificate and the intermediate CA certificate "
            "(ibm-z-host-key-signing.crt, DigiCertCA.crt) to verify the host-key documents",
        )
    for i, hkd in enumerate(se.host_key_documents):
        problem = hkd_problem(hkd)
        if problem:
            report = out.warn if problem.startswith("not on this machine") else out.error
            report("se-image", f"secure_execution.host_key_documents[{i}]", problem)
    for key in ("certificates", "crls"):
        for i, path in enumerate(getattr(se, key)):
            problem = _document_problem(path)
            if problem:
                out.error("se-image", f"secure_execution.{key}[{i}]", problem)
    name = f"{answers.guest.name}.se-image.sh"
    prep.extra_files[name] = se_image_script(answers)
    prep.steps.append(
        Step(
            "secure-execution",
            f"in the guest, once installed: sh {name} (builds {se.image}, runs zipl)",
            "the guest boots encrypted only from an image built for these host-key documents; "
            "a guest without one starts as an ordinary guest. Run it again after every "
            "kernel update: the image holds the kernel, the initrd and the command line.",
            manual=True,
        )
    )
    prep.steps.append(
        Step(
            "secure-execution",
            "attestation (optional): prove the guest runs securely on a trusted machine",
            "on a trusted workstation: pvattest create -k HKD.crt --cert ... --arpk arp.key "
            "-o attreq.bin; in the guest: pvattest perform attreq.bin attresp.bin; back on "
            "the workstation: pvattest verify with the same arp.key and the image's SE header "
            "(pvimg info / pvextract-hdr); see pvattest(1)",
            manual=True,
        )
    )


def _document_problem(path: str) -> str | None:
    """A certificate or CRL is read where the image script runs; one that is here must
    at least be a file that can be one: regular, at most 1 MiB (a FIFO or a device would
    hang or flood the script's pvimg)."""
    import os
    import stat

    from zwizard.userfiles import MAX_BYTES

    try:
        st = os.stat(path)
    except OSError:
        return None  # not here: the image script checks it where it runs
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a regular file: not a certificate or CRL"
    if st.st_size > MAX_BYTES:
        return f"{path} is larger than 1 MiB: not a certificate or CRL"
    return None


def hkd_problem(path: str) -> str | None:
    """hkd_verdict for the file as it is now (read again only when it changed: the
    wizard asks at every keystroke)."""
    from pathlib import Path

    try:
        stat = Path(path).stat()
    except OSError:
        return f"not on this machine ({path}); the image script checks it where it runs"
    return _hkd_verdict(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _hkd_verdict(path: str, mtime_ns: int, size: int) -> str | None:
    """Why a host-key document cannot be used: not X.509, not an EC secp521r1 key (the
    host key pvimg encrypts for, s390-tools rust/pv/src/req/ec_coord.rs), or expired.
    None when it can; 'not on this machine ...' when it is not here to read."""
    from datetime import UTC, datetime

    from zwizard.userfiles import read_regular

    try:
        data = read_regular(path)
    except FileNotFoundError:
        return f"not on this machine ({path}); the image script checks it where it runs"
    except OSError as exc:
        return f"{path} cannot be read as a host-key document: {exc.strerror}"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:  # pragma: no cover - a dependency; kept for a broken install
        return None
    try:
        cert = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
    except ValueError:
        return f"{path} is not an X.509 certificate (PEM or DER): not a host-key document"
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp521r1":
        kind = (
            f"EC {key.curve.name}"
            if isinstance(key, ec.EllipticCurvePublicKey)
            else type(key).__name__.lstrip("_").removesuffix("PublicKey") or "other"
        )
        return f"{path} holds an {kind} key; a host-key document holds an EC secp521r1 key"
    now = datetime.now(UTC)
    if cert.not_valid_after_utc < now:
        return f"{path} expired on {cert.not_valid_after_utc:%Y-%m-%d}: get a current one"
    if cert.not_valid_before_utc > now:
        return f"{path} is not valid before {cert.not_valid_before_utc:%Y-%m-%d}"
    return None


def se_image_script(answers: Answers) -> str:
    se = answers.secure_execution
    hkds = " ".join(f"-k {q(h)}" for h in se.host_key_documents)
    certs = " ".join(f"--cert {q(c)}" for c in se.certificates)
    crls = " ".join(f"--crl {q(c)}" for c in se.crls)
    verify = "--no-verify" if se.no_verify else f"{certs} {crls}".strip()
    # genprotimg (s390-tools before 2.36) spells --cert as -C and has the same -k/-i/-r/-p/-o
    old_verify = verify.replace("--cert ", "-C ")
    files = [*se.host_key_documents, *se.certificates, *se.crls]
    checks = "\n".join(f"need_file {q(f)}" for f in files)
    hkd_checks = "\n".join(f"check_hkd {q(h)}" for h in se.host_key_documents)
    return f"""#!/bin/sh
# Secure Execution boot image for guest {answers.guest.name}, written by zwizard.
# Run as root INSIDE the guest once it is installed, and again after every kernel update
# (the image holds the kernel, the initrd and the command line). --dry-run lists only.
# It builds {se.image} with pvimg create (s390-tools 2.36+) or genprotimg (older),
# makes it the default zipl boot entry and runs zipl. Sources: docs/rules.md, section 11.
set -eu
dry_run=0
case "${{1:-}}" in
  --dry-run) dry_run=1 ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac
run() {{
  if [ "$dry_run" = 1 ]; then echo "    would run: $*"; else echo "    + $*"; "$@"; fi
}}
problems=0
need_file() {{
  if [ ! -r "$1" ]; then echo "not ready: $1 is missing" >&2; problems=$((problems + 1)); fi
}}
# a host-key document: X.509 with an EC secp521r1 key, not expired (pvimg checks the
# chain too, unless --no-verify)
check_hkd() {{
  [ -r "$1" ] || return 0
  if ! openssl x509 -in "$1" -noout -checkend 0 >/dev/null 2>&1; then
    echo "not ready: $1 is not a valid X.509 certificate or has expired" >&2
    problems=$((problems + 1))
  elif ! openssl x509 -in "$1" -noout -text | grep -q 'secp521r1\\|P-521'; then
    echo "not ready: $1 has no EC secp521r1 key: not a host-key document" >&2
    problems=$((problems + 1))
  fi
}}
{checks}
{hkd_checks}
kernel=/boot/vmlinuz-$(uname -r)
initrd=/boot/initramfs-$(uname -r).img
[ -r "$initrd" ] || initrd=/boot/initrd.img-$(uname -r)
need_file "$kernel"
need_file "$initrd"
if command -v pvimg >/dev/null 2>&1; then tool=pvimg
elif command -v genprotimg >/dev/null 2>&1; then tool=genprotimg
else
  echo "not ready: neither pvimg nor genprotimg: install s390-tools" >&2
  problems=$((problems + 1)); tool=
fi
if [ "$problems" -gt 0 ]; then
  echo "$problems problem(s): nothing was changed" >&2
  exit 1
fi
parm=$(mktemp)
trap 'rm -f "$parm"' EXIT
# the command line the guest runs with now goes into the image (no swiotlb= is needed)
cat /proc/cmdline > "$parm"
if [ "$tool" = pvimg ]; then
  run pvimg create {hkds} {verify} -i "$kernel" -r "$initrd" -p "$parm" -o {q(se.image)} --overwrite
else
  run genprotimg {hkds} {old_verify} -i "$kernel" -r "$initrd" -p "$parm" -o {q(se.image)}
fi
# a zipl entry for the image, made the default: a kernel update that reruns zipl then keeps
# booting the secure image (the old image, until this script runs again)
if ! grep -q '^\\[secure\\]' /etc/zipl.conf; then
  run cp /etc/zipl.conf /etc/zipl.conf.before-secure
  run sh -c 'printf "\\n[secure]\\ntarget=/boot\\nimage=%s\\n" "$1" >> /etc/zipl.conf' \\
    sh {q(se.image)}
fi
# [defaultboot] names its default with default= (sections), or defaultauto (the BLS
# entries RHEL 8 and 9 boot from): either becomes default=secure
if ! grep -q '^default=secure' /etc/zipl.conf; then
  if grep -q '^default=' /etc/zipl.conf; then
    run sed -i 's/^default=.*/default=secure/' /etc/zipl.conf
  elif grep -q '^defaultauto' /etc/zipl.conf; then
    run sed -i 's/^defaultauto.*/default=secure/' /etc/zipl.conf
  else
    run sed -i 's/^\\[defaultboot\\]$/[defaultboot]\\ndefault=secure/' /etc/zipl.conf
  fi
fi
run zipl -V
echo "done: reboot the guest; /sys/firmware/uv/prot_virt_guest then reads 1"
"""
