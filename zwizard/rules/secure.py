"""Secure Execution's rules (se-*): what a secure guest may not have, its image's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.devices import entries
from zwizard.findings import Collector as _Collector
from zwizard.findings import reports
from zwizard.model import Answers

if TYPE_CHECKING:
    pass
from zwizard.cpu_models import CPU_MODELS
from zwizard.limits import SE_MAX_VCPUS, SE_NOTES
from zwizard.parts.cpu import older_model
from zwizard.plan import Plan

# --- Secure Execution --------------------------------------------------------------------


def lacks_unpack(a: Answers) -> bool:
    """A custom CPU model older than gen15a (z15) has no 'unpack' facility, which Secure
    Execution needs (rule se-launch); turning it on makes such a mode host-model, and
    leaves a mode the rule only minds (maximum, host-passthrough)."""
    model = a.cpu.model
    return a.cpu.mode == "custom" and model in CPU_MODELS and older_model(model, "gen15a")


@reports(
    "se-launch",
    "se-max-vcpus",
    "se-no-balloon-rng",
    "se-no-hugepages",
    "se-no-vfio",
    "se-image",
    *SE_NOTES,
)
def _secure_execution(a: Answers, plan: Plan, out: _Collector) -> None:
    if not a.secure_execution.enabled:
        return
    se = "with Secure Execution"
    if a.guest.domain_type != "kvm":
        out.error(
            "se-launch",
            "guest.domain_type",
            "Secure Execution needs KVM on an IBM Z host (z15 or newer); emulation cannot run it",
        )
    model = a.cpu.model
    if lacks_unpack(a):
        out.error(
            "se-launch",
            "cpu.model",
            f"{se} the CPU model needs the 'unpack' facility, which starts with gen15a (z15); "
            f"'{model}' lacks it — use host-model",
        )
    elif a.cpu.mode in ("host-passthrough", "maximum"):
        out.warn(
            "se-launch",
            "cpu.mode",
            f"{se} QEMU needs a CPU with 'unpack': {a.cpu.mode} has it on an SE-capable host, "
            "but host-model is the mode the libvirt Secure Execution guide uses",
        )
    for kind, path, item in entries(a):
        what = kind.se_forbidden(item)
        if what and "scsi" in what:  # no vfio, but a <hostdev> all the same
            why = f"{se} a guest has no <hostdev>, SCSI ones included, so this {what} must go"
            out.error("se-no-vfio", path, why)
        elif what:
            out.error(
                "se-no-vfio",
                path,
                f"{se} no device can be passed through (vfio), so this {what} must go",
            )
    _se_image_keys(a, out)
    if a.memory.balloon:
        out.error("se-no-balloon-rng", "memory.balloon", f"{se} there is no memballoon")
    if a.rng.enabled:
        out.error("se-no-balloon-rng", "rng.enabled", f"{se} there is no virtio-rng device")
    if a.memory.hugepages:
        out.error(
            "se-no-hugepages", "memory.hugepages", f"{se} memory cannot be backed by huge pages"
        )
    if a.guest.vcpus > SE_MAX_VCPUS:
        out.error(
            "se-max-vcpus",
            "guest.vcpus",
            f"{se} a guest has at most {SE_MAX_VCPUS} vCPUs, not {a.guest.vcpus}",
        )
    for rule, text in SE_NOTES.items():
        out.note(rule, "secure_execution", f"{se} {text}")


@reports("se-no-vfio")
def _se_ap_allowed(a: Answers, out: _Collector) -> None:
    """Rule se-no-vfio as the seed states it holds unless the host gives AP queues to
    secure guests: host-model with QEMU's 'appv' (UV feature BIT_UV_FEAT_AP, z16 and
    later; Linux arch/s390/include/asm/uv.h, QEMU target/s390x/cpu_features_def.h.inc).
    There a vfio-ap device may stay; the guest binds its queues (zwizard prepare)."""
    ap = {f"passthrough[{i}]" for i, p in enumerate(a.passthrough) if p.type == "vfio-ap"}
    kept = [f for f in out.findings if not (f.rule == "se-no-vfio" and f.path in ap)]
    if len(kept) == len(out.findings):
        return
    out.findings[:] = kept
    for path in sorted(ap):
        out.note(
            "se-no-vfio",
            path,
            "this host gives AP queues to Secure Execution guests (its CPU has 'appv', z16 or "
            "later): the crypto device stays; the guest binds its queues (zwizard prepare)",
        )


def _se_image_keys(a: Answers, out: _Collector) -> None:
    """The files the secure image is built from are paths where its script runs (the
    guest): absolute, so the script finds them from any folder."""
    se = a.secure_execution
    for key in ("host_key_documents", "certificates", "crls"):
        for j, value in enumerate(getattr(se, key)):
            if not value.startswith("/"):
                out.error(
                    "se-image",
                    f"secure_execution.{key}[{j}]",
                    f"'{value}' must be an absolute path (where the image script runs)",
                )
    if not se.image.startswith("/"):
        out.error("se-image", "secure_execution.image", f"'{se.image}' must be an absolute path")
    if se.no_verify:
        out.warn(
            "se-image",
            "secure_execution.no_verify",
            "the host-key documents are not verified (--no-verify): an image for a forged key "
            "would not be noticed; only for tests",
        )
