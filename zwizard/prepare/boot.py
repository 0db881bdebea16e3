"""The boot plan: what the administrator must know or do at boot — the zipl menu on the
console, the line-mode console a loadparm needs, and when the after-install definition
(disk first) may be defined."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.prepare.steps import Preparation, Step

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.plan import Plan

# QEMU tries the next boot device when one fails from 9.2 on (docs/rules.md, section 2)
BOOT_FALLBACK_QEMU = (9, 2)  # and libvirt 10.10: zwizard.stack_versions, row boot-fallback


def boot_steps(
    prep: Preparation,
    answers: Answers,
    plan: Plan,
    host: HostInfo | None,
    host_is_target: bool = True,
) -> None:
    from zwizard.build import after_install, after_install_name
    from zwizard.stack_versions import BY_KEY, judged_stack, show
    from zwizard.structure import lookup

    first = plan.first_boot
    loadparm = (getattr(lookup(answers, first), "loadparm", None) or "") if first else ""
    if loadparm.strip().upper() == "PROMPT":
        prep.steps.append(
            Step(
                "boot",
                f"the zipl menu waits for a choice: answer on virsh console {answers.guest.name}",
                "the s390-ccw firmware prints the menu and reads the choice as ASCII console "
                "data (SCLP_EVENT_ASCII_CONSOLE_DATA, pc-bios/s390-ccw/sclp.c): the sclp "
                "console virsh console attaches to",
                manual=True,
                note=True,
            )
        )
    if loadparm.strip() and not answers.console.line_mode:
        prep.steps.append(
            Step(
                "boot",
                "a line-mode console for the loadparm: console.line_mode = true",
                "zipl boot code from before s390-tools 2.40 (RHEL 9 and older guests) reads "
                "the loadparm only when a line-mode (sclplm) console is present, and ignores "
                "it otherwise (s390-tools issue 196); re-run zipl after s390-tools 2.40",
                manual=True,
                note=True,
            )
        )
    if after_install(answers, plan) is None:
        return
    final = after_install_name(answers)
    stack = judged_stack(answers, host, host_is_target)  # another host: not by this one's
    from_host = host is not None and stack.origin.startswith("host")
    whose = "this host's" if from_host else "the target's" if stack.origin == "target" else ""
    needs = f"falling back needs {BY_KEY['boot-fallback'].since()}"
    if stack.allows("boot-fallback"):
        how = (
            f"{whose} QEMU {show(stack.qemu)} tries the next boot device when one fails "
            f"(libvirt {show(stack.libvirt)}; {needs}), so {final} (disk first, the NIC "
            "next) can be defined right away: the empty disk fails over to the network "
            "install, and the installed disk boots after"
        ).strip()
    else:
        have = (
            f"{whose} libvirt {show(stack.libvirt)} with QEMU {show(stack.qemu)}"
            if whose
            else "QEMU before 9.2"
        )
        how = (
            f"{have} tries only the first boot device ({needs}; judged on "
            f"{stack.describe()}): the NIC stays first for the install, and {final} (disk "
            "first) is defined once the installer has finished, or the guest installs again "
            "at every cold start"
        )
    prep.steps.append(
        Step(
            "boot",
            f"after the install: virsh define --validate {final}",
            how,
            manual=True,
        )
    )
