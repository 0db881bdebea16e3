"""Text typed into a field, read as the value it stands for: numbers, lists and
KEY=VALUE mappings, and the finding (with the field's own rule id and words) when the
text is no such value. Both front ends and drafts use these; the session keeps the text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwizard.model import Answers
from zwizard.rules import Finding
from zwizard.structure import lookup
from zwizard.units import mib_hint

if TYPE_CHECKING:
    pass

# Each number field by its place (indices as []): the rule its refusal names, so typed
# text that is no number is reported under the same id as a number out of range, and
# what the number counts. Keyed by the whole place, not the last part of the key: a
# disk's queues and a NIC's are two fields with two rules (tests/unit/test_typed_text.py
# holds every whole-number key of the answers to this table or to NOT_TYPED).
NUMBERS: dict[str, tuple[str, str]] = {
    "guest.vcpus": ("vcpus", "vCPUs"),
    "guest.memory_mib": ("memory", "MiB"),
    "guest.vcpus_current": ("vcpu-topology", "vCPUs"),
    "guest.iothreads": ("iothreads", "I/O threads"),
    "cpu.sockets": ("vcpu-topology", "sockets"),
    "cpu.cores": ("vcpu-topology", "cores"),
    "disks[].boot_order": ("boot-order", "a boot position"),
    "disks[].iothread": ("disk-tuning", "an I/O thread"),
    "disks[].queues": ("disk-tuning", "queues"),
    "nics[].boot_order": ("boot-order", "a boot position"),
    "nics[].mtu": ("nic-tuning", "an MTU in bytes"),
    "nics[].queues": ("nic-tuning", "queue pairs"),
    "nics[].vlan": ("nic-tuning", "a VLAN tag"),
    "passthrough[].boot_order": ("boot-order", "a boot position"),
    "memory.hard_limit_mib": ("memtune", "MiB"),
    "memory.soft_limit_mib": ("memtune", "MiB"),
    "memory.swap_hard_limit_mib": ("memtune", "MiB"),
    "memory.balloon_stats_period": ("memory", "seconds"),
}
NUMBER_RULES = {place: rule for place, (rule, _) in NUMBERS.items()}


# Keys that hold a mapping, typed as KEY=VALUE pairs separated by blanks (0=2-3 1=4,^5)
MAPPING_KEYS = ("cpu.pinning", "cpu.features", "cpu.iothread_pinning")


# keys typed as a list of numbers (AP adapters and domains, hex as lszcrypt shows them)
INT_LIST_KEYS = ("adapters", "domains", "control_domains")


def field_text(value: Any) -> str:
    """How a field shows a value: a mapping as its KEY=VALUE pairs, a list as its items
    (numbers in hex, as lszcrypt prints AP adapters and domains)."""
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(hex(v) if isinstance(v, int) else str(v) for v in value)
    return "" if value is None else str(value)


def shown_text(
    answers: Answers, path: str, pending: dict[str, str], typed: dict[str, tuple[str, Any]]
) -> str:
    """What a field shows: text that is no value yet as it stands; a value as it was
    typed while it still holds what was typed; else the value in the field's form."""
    if path in pending:
        return pending[path]
    try:
        value = lookup(answers, path)
    except (AttributeError, IndexError, TypeError):
        return ""
    text, meant = typed.get(path, ("", None))
    if text and meant == value:
        return text
    return field_text(value)


def parse_list(text: str, kind: str) -> list[Any] | None:
    """Items separated by blanks (or, for numbers and addresses, commas): an int-list
    takes decimal or 0x-hex numbers (TOML's own forms), an addr-list network addresses
    (which hold neither); None when the text is not that."""
    if kind.endswith("addr-list"):
        return text.replace(",", " ").split()
    if not kind.endswith("int-list"):
        return text.split()
    out = []
    for token in text.replace(",", " ").split():
        digits = token[2:] if token.lower().startswith("0x") else token
        base = 16 if digits is not token else 10
        allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        if not digits or any(c not in allowed for c in digits):
            return None
        out.append(int(digits, base))
    return out


def list_problem(text: str) -> str:
    return f"'{text}' is not numbers (decimal or 0x-hex) separated by blanks or commas (0x05 0x06)"


def parse_mapping(text: str) -> dict[str, str] | None:
    """KEY=VALUE pairs separated by blanks; None when the text is not that."""
    out: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        if not (sep and key and value) or key in out:
            return None
        out[key] = value
    return out


def mapping_problem(text: str) -> str:
    return f"'{text}' is not KEY=VALUE pairs separated by blanks, each key once (0=2-3 1=4)"


def number_place(path: str) -> str:
    """A field's place: its path with every index as [] (disks[2].queues: disks[].queues)."""
    import re

    return re.sub(r"\[\d+\]", "[]", path)


def number_rule(path: str) -> str:
    """The rule a number field's refusal names."""
    return NUMBERS.get(number_place(path), ("value", ""))[0]


def number_problem(path: str, text: str) -> Finding | None:
    """Why `text` is not a whole number for the field at `path` (None when it is)."""
    import re

    key = path.rsplit(".", 1)[-1]
    rule, what = NUMBERS.get(number_place(path), ("value", "a number"))
    if re.fullmatch(r"-?[0-9]+", text):  # ASCII digits only: int() would take '٣' or '1_0'
        return None
    stripped = text.strip()
    if not stripped:
        return Finding(rule, "error", path, "a number is needed here")
    hint = ""
    if key == "memory_mib" and (words := mib_hint(stripped)):
        hint = f"; {words}"
    return Finding(
        rule, "error", path, f"'{text}' is not a whole number ({what}): type digits only{hint}"
    )
