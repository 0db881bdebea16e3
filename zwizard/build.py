"""From answers to the set of output files: check, render, validate, summarise.

Every front end calls `build`; what it returns is exactly what would be
written, so the wizard's preview and the answers mode cannot disagree.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from zwizard.model import Answers
from zwizard.plan import Plan, make_plan
from zwizard.rules import Finding, check, errors
from zwizard.shown import command
from zwizard.structure import field, record

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.host import HostInfo

SCHEMA_DIRS = ("/usr/share/libvirt/schemas",)


@record
class Build:
    answers: Answers
    plan: Plan
    findings: list[Finding]
    files: dict[str, str] = field(default_factory=dict)  # empty while there are errors
    schema_problems: list[str] = field(default_factory=list)
    # (rule, path) of host findings the host preparation takes care of: notes here
    resolved: frozenset[tuple[str, str]] = frozenset()

    @property
    def ok(self) -> bool:
        return not errors(self.findings) and not self.schema_problems

    @property
    def xml_name(self) -> str:
        return f"{self.answers.guest.name}.xml"

    def shown_files(self) -> dict[str, str]:
        """The files, or what they would say while errors block writing (the preview
        shows what there is); empty when even that cannot be written."""
        if self.files:
            return self.files
        try:
            return render_files(self.answers, self.plan)
        except Exception:  # a value the writer cannot take: the findings say which
            return {}


def build(
    answers: Answers,
    *,
    validate: bool = True,
    host: HostInfo | list[HostInfo] | None = None,
    host_is_target: bool = True,
    resolved: set[tuple[str, str]] | None = None,
) -> Build:
    """`resolved`: (rule, path) of host findings the host preparation written with the
    files takes care of (the mediated device it creates): said as notes, not errors."""
    plan = make_plan(answers)
    findings = check(answers, plan, host, host_is_target)
    if resolved:
        from zwizard.findings import Finding

        findings = [
            Finding(f.rule, "note", f.path, f"{f.message} — the host preparation creates it")
            if (f.rule, f.path) in resolved
            else f
            for f in findings
        ]
    result = Build(answers, plan, findings, resolved=frozenset(resolved or ()))
    if errors(findings):
        return result
    result.files = render_files(answers, plan)
    if validate:
        result.schema_problems = validate_domain(result.files[result.xml_name])
    return result


def render_files(answers: Answers, plan: Plan) -> dict[str, str]:
    """Output path (relative to the output directory) -> content."""
    from zwizard.render.domain import render_domain, to_xml
    from zwizard.render.pxe import pxe_files

    files = {f"{answers.guest.name}.xml": to_xml(render_domain(answers, plan))}
    files.update(pxe_files(answers, plan))
    final = after_install(answers, plan)
    if final is not None:
        files[after_install_name(answers)] = to_xml(render_domain(final, make_plan(final)))
    return files


def needs_preparation(a: Answers) -> bool:
    """Whether zwizard prepare has work for this guest beyond what it can only describe."""
    return (
        any(p.type in ("vfio-ap", "vfio-ccw") or (p.type == "pci" and not p.managed)
            for p in a.passthrough)
        or a.secure_execution.enabled
        or a.pxe.enabled
    )  # fmt: skip


def after_install_name(answers: Answers) -> str:
    return f"{answers.guest.name}.after-install.xml"


def after_install(answers: Answers, plan: Plan) -> Answers | None:
    """The same guest with its disk booting first, for once a network install is done.

    QEMU before 9.2 tries only the first boot device, so a guest left with its NIC
    first would install again at every cold start (docs/rules.md, section 2)."""
    first = plan.first_boot
    if not answers.pxe.enabled or first is None or not first.startswith("nics["):
        return None
    from zwizard.devices import entries

    disks = [path for kind, path, item in entries(answers) if kind.installed_boot(item)]
    if not disks:
        return None
    target = next((d for d in disks if d in plan.boot), disks[0])
    import copy

    from zwizard.structure import lookup

    final = copy.deepcopy(answers)
    sequence = [target] + [p for p in sorted(plan.boot, key=plan.boot.__getitem__) if p != target]
    for order, path in enumerate(sequence, start=1):
        lookup(final, path).boot_order = order
    for path in plan.boot:  # a loadparm belongs to the device it was given for
        if path != target and path.startswith("nics["):
            lookup(final, path).loadparm = None
    final.pxe.enabled = False
    return final


@cache
def _relaxng(path: str) -> etree.RelaxNG:
    from lxml import etree

    return etree.RelaxNG(file=path)


def schema_path() -> str | None:
    override = os.environ.get("ZWIZARD_LIBVIRT_SCHEMAS")
    for folder in (override,) if override else SCHEMA_DIRS:
        candidate = Path(folder) / "domain.rng"
        if candidate.is_file():
            return str(candidate)
    return None


def validate_domain(xml: str) -> list[str]:
    """Problems libvirt's RelaxNG schema finds in `xml` (none when it is not installed)."""
    path = schema_path()
    if path is None:
        return []
    from lxml import etree

    rng = _relaxng(path)
    doc = etree.fromstring(xml.encode())
    if rng.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in rng.error_log]


def summary(result: Build) -> list[str]:
    """What the user should know about values the wizard chose for them."""
    a, plan = result.answers, result.plan
    lines = []
    if a.guest.uuid:
        lines.append(f"uuid {a.guest.uuid}")
    for path, addr in plan.ccw.items():
        lines.append(f"{path}: ccw {addr.busid}")
    for i, mac in enumerate(plan.macs):
        lines.append(f"nics[{i}]: mac {mac}")
    boot = sorted(plan.boot.items(), key=lambda kv: kv[1])
    how = " (assigned: no device had a boot order)" if plan.boot_assigned else ""
    lines.append("boot order: " + ", ".join(f"{o}={p}" for p, o in boot) + how)
    for path, (uid, fid) in plan.zpci.items():
        how = " (assigned)" if path in plan.zpci_assigned else ""
        lines.append(f"{path}: zpci uid {uid:#06x} fid {fid:#010x}{how}")
    st = plan.static_ip
    if st is not None and (a.pxe.ip != "static" or "/" in (a.pxe.address or "")):
        lines.append(
            f"pxe: static address {st.address}, "
            + (f"prefix /{st.netmask}" if st.ipv6 else f"netmask {st.netmask}")
            + f", gateway {st.gateway}"
            + (f", interface {st.interface}" if st.interface else "")
            + (f", MTU {st.mtu}" if st.mtu else "")
            + (f", MAC {st.macaddr}" if st.macaddr else "")
            + f" (read from pxe.{'ip' if a.pxe.ip != 'static' else 'address'})"
        )
    return lines


def next_steps(
    result: Build,
    outdir: Path,
    prepared: set[str] | None = None,
    answers_file: Path | None = None,
) -> list[str]:
    """What to do with the files written. `answers_file`: the answers that made them (the
    file the answers mode read, the one the wizard wrote beside them), named where a step
    needs it."""
    a = result.answers
    xml = outdir / result.xml_name
    steps = []
    script = f"{a.guest.name}.prepare.sh"
    if prepared and script in prepared:
        run = command("sh", str(outdir / script))
        steps.append(
            f"prepare the host: read {outdir / script}, then as root: {run} --dry-run; {run}"
        )
    elif needs_preparation(a):
        steps.append(
            "prepare the host (mediated devices, Secure Execution image, install server): "
            f"zwizard prepare {command(str(answers_file or 'ANSWERS.toml'))} -o "
            + command(str(outdir))
        )
    steps += [
        command("virsh", "define", "--validate", str(xml)),
        command("virsh", "start", "--domain", a.guest.name, "--console"),
    ]
    pxe = [rel for rel in result.files if rel.startswith("pxelinux.cfg/")]
    if pxe:
        steps.append(
            f"copy {outdir / 'pxelinux.cfg'}/ to the TFTP root (the files there: "
            f"{', '.join(Path(p).name for p in pxe)}), with the kernel at {a.pxe.kernel} and "
            f"the initrd at {a.pxe.initrd} relative to that root"
        )
    final = after_install_name(a)
    if final in result.files:
        steps.append(
            "once the install is done: "
            + command("virsh", "define", "--validate", str(outdir / final))
            + "   (the same "
            "guest, its disk booting first: QEMU before 9.2 tries only the first boot device)"
        )
    if a.secure_execution.enabled:
        steps.append(
            "prepare the secure boot image inside the guest (needs the host key document "
            "HKD.crt of every host that may run it, and IBM's signing key and CA certificates "
            "with their CRLs; no swiotlb= is needed with <launchSecurity>):\n"
            "    genprotimg -i /boot/vmlinuz -r /boot/initramfs.img -p parmfile "
            "-k HKD.crt -o /boot/secure-linux    (newer s390-tools: pvimg create ...)\n"
            "    then add it to /etc/zipl.conf and run zipl"
        )
    return steps
