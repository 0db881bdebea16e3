"""The script: one readable POSIX shell script from the steps (checks first, then each
step guarded by a test of whether its work is already done, so a second run changes
nothing; `--dry-run` to list without changing), its shell helpers — among them the safe
writes into a shared TFTP root (below, target_below, put_below, fetch_below) — and the
sha256 checks that let the script use a file from its own folder only as zwizard wrote it."""

from __future__ import annotations

import shlex

from zwizard.prepare.steps import Check, Preparation, unique


def q(*words: str) -> str:
    return " ".join(shlex.quote(w) for w in words)


def sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def take_check(prep: Preparation, rel: str, text: str) -> None:
    """The script uses a file from its own folder only when it is the one zwizard wrote
    (its sha256), checked before anything changes and again on the copy it uses."""
    prep.checks.append(
        Check(
            f'[ "$(sha256sum < "$here/{rel}" | cut -c1-64)" = {sha256(text)} ]',
            f"{rel} beside this script is missing or is not the file zwizard wrote (its sha256 "
            "differs): write the guest's files into this folder again "
            "(zwizard --answers FILE -o FOLDER)",
            f"{rel} beside the script, as written",
        )
    )


HELPERS = r"""run() {
  if [ "$dry_run" = 1 ]; then echo "    would run: $*"; else echo "    + $*"; "$@"; fi
}
step() { echo; echo "== $*"; }
skip() { echo "    already done"; }
# the driver a sysfs device is bound to (empty: none)
driver_of() {
  if [ -e "$1/driver" ]; then basename "$(readlink -f "$1/driver")"; fi
}
# the css subchannel of a DASD: through its ccw device while the host drives it, through
# the subchannel's dev_busid once vfio_ccw does (then the ccw device is gone)
subchannel_of() {
  if [ -e "/sys/bus/ccw/devices/$1" ]; then
    basename "$(dirname "$(readlink -f "/sys/bus/ccw/devices/$1")")"
    return
  fi
  for s in /sys/bus/css/devices/*; do
    if [ "$(cat "$s/dev_busid" 2>/dev/null)" = "$1" ]; then basename "$s"; return; fi
  done
}
# why the host still uses DASD $1: a mounted or swapped-on partition, or a holder
dasd_in_use() {
  for disk in "/sys/bus/ccw/devices/$1"/block/*; do
    [ -e "$disk" ] || continue
    for node in "$disk" "$disk"/"$(basename "$disk")"*; do
      [ -e "$node" ] || continue
      dev=/dev/$(basename "$node")
      if grep -q "^$dev " /proc/mounts /proc/swaps 2>/dev/null; then echo "$dev"; return; fi
      if [ -n "$(ls -A "$node/holders" 2>/dev/null)" ]; then echo "$dev (held)"; return; fi
    done
  done
}
# below ROOT REL: the path ROOT/REL resolves to, or a refusal when it leaves ROOT (a link
# planted in a shared TFTP root must not carry a root-owned write elsewhere)
below() {
  base=$(realpath -e -- "$1") || return 1
  full=$(realpath -m -- "$base/$2") || return 1
  case "$full" in
    "$base"/*) echo "$full" ;;
    *) echo "    refused: $1/$2 resolves to $full, outside $1" >&2; return 1 ;;
  esac
}
# target_below ROOT REL: $dest, ROOT/REL resolved with its folder made (resolved again
# once made: the folder may not be a planted link), and $tmp, a fresh file beside it
target_below() {
  mkdir -p -- "$1"
  dest=$(below "$1" "$2") || return 1
  mkdir -p -- "$(dirname -- "$dest")"
  dest=$(below "$1" "$2") || return 1
  tmp=$(mktemp -- "$dest.zwizard-XXXXXX")
}
# put_below ROOT REL SRC SHA256: SRC copied to ROOT/REL through a temporary file in the
# same folder that is renamed into place once it holds exactly what zwizard wrote
put_below() {
  target_below "$1" "$2" || return 1
  if cp -- "$3" "$tmp" && [ "$(sha256sum < "$tmp" | cut -c1-64)" = "$4" ] &&
    chmod 0644 -- "$tmp" && mv -fT -- "$tmp" "$dest"; then
    return 0
  fi
  echo "    refused: $3 is not the file zwizard wrote, or could not be copied" >&2
  rm -f -- "$tmp"
  return 1
}
# fetch_below ROOT REL URL: the URL fetched into ROOT/REL the same way
fetch_below() {
  target_below "$1" "$2" || return 1
  if curl -fsSL --globoff -o "$tmp" "$3" && chmod 0644 -- "$tmp" && mv -fT -- "$tmp" "$dest"; then
    return 0
  fi
  rm -f -- "$tmp"
  return 1
}
# define_network FILE SHA256: virsh net-define of a private copy that holds what zwizard wrote
define_network() {
  copy=$(mktemp) || return 1
  if cp -- "$1" "$copy" && [ "$(sha256sum < "$copy" | cut -c1-64)" = "$2" ] &&
    virsh net-define --file "$copy"; then
    rm -f -- "$copy"
    return 0
  fi
  echo "    refused: $1 is not the file zwizard wrote, or libvirt refused it" >&2
  rm -f -- "$copy"
  return 1
}
"""


def _comment(text: str, width: int = 88) -> list[str]:
    import textwrap

    from zwizard.shown import one_line

    return ["# " + line for line in textwrap.wrap(one_line(text), width - 2)]


def script(prep: Preparation) -> str:
    """The idempotent host preparation script (POSIX sh, shellcheck-clean)."""
    # --replace-default only where a shared pxelinux.cfg/default is at stake
    shared = any("$replace_default" in c.test for c in prep.checks)
    usage = " [--replace-default]" if shared else ""
    lines = [
        "#!/bin/sh",
        f"# Host preparation for guest {prep.guest}, written by zwizard.",
        "# Read it first. Run it as root on the KVM host:  sh " + prep.script_name,
        "# List what it would do, changing nothing:        sh " + prep.script_name + " --dry-run",
        "# Every check runs before any change; each step is skipped when its work is already",
        "# done, so running it again is safe. Sources: zwizard's docs/rules.md, section 11.",
        "set -eu",
        "dry_run=0",
        *(["replace_default=0"] if shared else []),
        'for arg in "$@"; do',
        '  case "$arg" in',
        "    --dry-run) dry_run=1 ;;",
        *(["    --replace-default) replace_default=1 ;;"] if shared else []),
        f'    *) echo "usage: $0 [--dry-run]{usage}" >&2; exit 2 ;;',
        "  esac",
        "done",
        HELPERS,
    ]
    if any("$here" in c for st in prep.steps for c in st.commands) or any(
        "$here" in c.test for c in prep.checks
    ):  # the files the answers run wrote, beside this script
        lines.insert(-1, 'here=$(cd "$(dirname "$0")" && pwd)')
    lines += prep.setup
    lines += ["", "# --- checks: nothing changes unless all of them pass", "problems=0"]
    for check in unique(prep.checks):
        lines += [
            f"if ! {{ {check.test}; }} >/dev/null 2>&1; then",
            f"  echo {q('not ready: ' + check.fix)} >&2; problems=$((problems + 1))",
            "fi",
        ]
    lines += [
        'if [ "$problems" -gt 0 ]; then',
        '  echo "$problems check(s) failed: nothing was changed" >&2',
        '  [ "$dry_run" = 1 ] || exit 1',
        "fi",
    ]
    if not any(s.commands and not s.manual for s in prep.steps):
        lines.append('echo "nothing to change on this host"')
    for step in prep.steps:
        lines.append("")
        lines += _comment(f"{step.section}: {step.title}")
        lines += _comment("why: " + step.why)
        lines.append(f"step {q(step.section + ': ' + step.title)}")
        if step.manual:
            lines.append(f"echo {q(('    note: ' if step.note else '    by hand: ') + step.why)}")
            lines += [f"echo {q('    ' + c)}" for c in step.commands]
            continue
        if step.done_when:
            lines.append(f"if {step.done_when}; then")
            lines.append("  skip")
            lines.append("else")
            lines += ["  " + c for c in step.commands]
            lines.append("fi")
        else:
            lines += step.commands
    lines += ["", 'echo; echo "done"', ""]
    return "\n".join(lines)


def files(prep: Preparation) -> dict[str, str]:
    return {prep.script_name: script(prep), **prep.extra_files}
