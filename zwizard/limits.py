"""The numbers, patterns and names several groups of rules (and the parts whose rules sit
beside them) share."""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from zwizard.lazy import Pattern
from zwizard.machine import S390_ARCH as S390_ARCH  # the rules' names for them
from zwizard.machine import S390_MACHINE as S390_MACHINE
from zwizard.vocabulary import CrashAction, Lifecycle

if TYPE_CHECKING:
    pass

SUPPORTED_OS = {"rhel7": "RHEL 7", "rhel8": "RHEL 8", "rhel9": "RHEL 9"}
MAX_VCPUS = 248
SE_MAX_VCPUS = 247
PXE_FILE_MAX = 2047
PXE_APPEND_MAX = 895
# SLOF lib/libnet/tftp.h (the s390 netboot firmware's TFTP code): char filename[256]
PXE_PATH_MAX = 255
MAX_BOOT_ORDER = 0xFFFFFFFF  # libvirt keeps <boot order> in an unsigned int
# libvirt virDomainParseMemory caps memory at VIR_DOMAIN_MEMORY_PARAM_UNLIMITED KiB (2^53 - 1)
MAX_MEMORY_MIB = ((1 << 53) - 1) // 1024
LIFECYCLE_ACTIONS = {  # libvirt's lists, declared once in the model
    "on_poweroff": get_args(Lifecycle),
    "on_reboot": get_args(Lifecycle),
    "on_crash": get_args(CrashAction),
}
# libvirt NEWS 7.7.0 / qemuValidateLifecycleAction: the QEMU driver refuses these at define
QEMU_REFUSED_LIFECYCLE = {
    "on_poweroff": ("preserve", "rename-restart"),
    "on_reboot": ("preserve", "rename-restart"),
    "on_crash": ("rename-restart",),
}
LOADPARM = Pattern(r"^[A-Z0-9. ]{1,8}$")
GUEST_NAME = Pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$")

MARKETING_NAMES = {"z15": "gen15a", "z16": "gen16a", "z17": "gen17a", "z14zr1": "z14ZR1"}
CPU_MODES = ("host-model", "host-passthrough", "maximum", "custom")
SE_NOTES = {
    "se-no-memstats": "memory statistics are not available (virsh domstats, virsh memstat)",
    "se-no-migration": "the guest cannot be migrated, live or offline",
    "se-no-save-restore": "the guest cannot be saved and restored (virsh save/restore)",
    "se-no-memory-snapshot": "snapshots that include memory (--memspec) are not possible",
    "se-dump-memory-only": "no full memory dump; use virsh dump --memory-only",
}
NOT_MIGRATION_SAFE = "not migration-safe; host-model is the mode for moving to later machines"
