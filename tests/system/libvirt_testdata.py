"""libvirt's own s390x test definitions, from the Debian source package of the libvirt
installed here (fetched at test time, cached like the s390x kernel in stack.py).

The files are `tests/qemuxml2argvdata/*.xml` and `tests/qemuxml2xmloutdata/*.xml` of
that source whose `<os><type>` names an `s390-ccw-virtio` machine or the s390x arch,
with Debian's own patches to those files applied. The source is fetched with a private
apt configuration (its own deb-src list, lists and cache directories): the machine's
apt setup is neither read for sources nor changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import etree

from tests.system.stack import CACHE, StackUnavailable, run

PACKAGE = "libvirt-daemon"  # the binary package whose source we want
DIRS = ("qemuxml2argvdata", "qemuxml2xmloutdata")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
# where Debian 12 has it, when apt-cache policy names no archive (a local .deb)
FALLBACK_ARCHIVES = [("http://deb.debian.org/debian", "bookworm", "main")]


def installed_source() -> tuple[str, str]:
    """(source package, source version) of the installed libvirt."""
    r = run("dpkg-query", "-W", "-f=${source:Package} ${source:Version}", PACKAGE, check=False)
    if r.returncode != 0 or not r.stdout.strip():
        raise StackUnavailable(f"{PACKAGE} is not installed: {r.stderr.strip()}")
    name, version = r.stdout.split()
    return name, version


def _archives() -> list[tuple[str, str, str]]:
    """The archives (URI, suite, component) apt names for the installed version."""
    r = run("apt-cache", "policy", PACKAGE, check=False)
    found: list[tuple[str, str, str]] = []
    in_installed = False
    for line in r.stdout.splitlines():
        if line.lstrip().startswith("***"):
            in_installed = True
            continue
        if in_installed:
            m = re.match(r"\s+\d+\s+(\S+://\S+)\s+(\S+)/(\S+)\s+\S+\s+Packages", line)
            if m:
                found.append((m.group(1), m.group(2), m.group(3)))
            elif not re.match(r"\s+\d+\s+/", line):
                break  # the next version's line
    for archive in FALLBACK_ARCHIVES:
        if archive not in found:
            found.append(archive)
    return found


def _apt(private: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    options = [
        f"Dir::Etc::SourceList={private / 'sources.list'}",
        f"Dir::Etc::SourceParts={private / 'sources.list.d'}",
        f"Dir::State::Lists={private / 'lists'}",
        f"Dir::Cache={private / 'cache'}",
        "Acquire::Languages=none",
        "APT::Sandbox::User=root",  # the private dirs are root's
    ]
    cmd = ["apt-get", "-qq"]
    for option in options:
        cmd += ["-o", option]
    return run(*cmd, *args, cwd=cwd, check=False, timeout=900)


def _download(workdir: Path, source: str, version: str) -> None:
    private = workdir / "apt"
    for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    signed = f"[signed-by={KEYRING}] " if KEYRING.exists() else ""
    lines = [f"deb-src {signed}{uri} {suite} {comp}" for uri, suite, comp in _archives()]
    (private / "sources.list").write_text("\n".join(lines) + "\n")
    r = _apt(private, "update")
    if r.returncode != 0:
        raise StackUnavailable(f"apt-get update (deb-src) failed: {r.stderr.strip()[-800:]}")
    r = _apt(private, "source", "--download-only", f"{source}={version}", cwd=workdir)
    if r.returncode != 0:
        raise StackUnavailable(
            f"apt-get source {source}={version} failed: {r.stderr.strip()[-800:]}"
        )


def _patch_sections(patch: str) -> list[str]:
    """The per-file parts of a patch that change our test data (other files are not here)."""
    parts = re.split(r"(?m)^(?=diff --git |--- a/)", patch)
    keep = []
    for part in parts:
        m = re.search(r"(?m)^\+\+\+ b/(\S+)", part)
        if m and any(m.group(1).startswith(f"tests/{d}/") for d in DIRS):
            if part.startswith("--- a/") or part.startswith("diff --git "):
                keep.append(part)
    return keep


def _apply_debian_patches(debian_tar: Path, tree: Path) -> None:
    """Debian's quilt series, restricted to the two test-data directories."""
    with tempfile.TemporaryDirectory(dir=tree.parent) as tmp:
        run("tar", "xJf", str(debian_tar), "-C", tmp, "debian/patches", check=False)
        patches = Path(tmp) / "debian" / "patches"
        series = patches / "series"
        if not series.exists():
            return
        for line in series.read_text().splitlines():
            name = line.split("#")[0].strip()
            if not name:
                continue
            sections = _patch_sections((patches / name.split()[0]).read_text(errors="replace"))
            if sections:
                run(
                    "patch", "-p1", "-s", "-N", "-d", str(tree), input="".join(sections), timeout=60
                )


def is_s390x(path: Path) -> bool:
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    except (etree.XMLSyntaxError, OSError):
        return False
    if root.tag != "domain":
        return False
    ostype = root.find("os/type")
    if ostype is None:
        return False
    return (ostype.get("machine") or "").startswith("s390-ccw-virtio") or ostype.get(
        "arch"
    ) == "s390x"


def s390x_definitions() -> list[Path]:
    """libvirt's s390x test definitions, as `<cache>/<dir>/<file>.xml` (fetched once)."""
    source, version = installed_source()
    home = CACHE / "libvirt-testdata" / f"{source}_{version}"
    done = home / ".complete"
    if done.exists():
        return sorted(p for d in DIRS for p in (home / d).glob("*.xml"))
    if os.geteuid() != 0:
        raise StackUnavailable("fetching libvirt's source package needs root (apt-get)")
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix="fetch-") as tmp:
        work = Path(tmp)
        _download(work, source, version)
        origs = sorted(work.glob(f"{source}_*.orig.tar.*"))
        origs = [p for p in origs if not p.name.endswith(".asc")]
        debians = sorted(work.glob(f"{source}_*.debian.tar.*"))
        if not origs:
            raise StackUnavailable(f"apt-get source {source} gave no .orig tarball")
        tree = work / "tree"
        tree.mkdir()
        wanted = [f"*/tests/{d}/*.xml" for d in DIRS]
        run(
            "tar", "xf", str(origs[0]), "-C", str(tree), "--strip-components=1", "--wildcards",
            *wanted, timeout=300,
        )  # fmt: skip
        if debians:
            _apply_debian_patches(debians[0], tree)
        staging = work / "out"
        for d in DIRS:
            (staging / d).mkdir(parents=True)
            for path in sorted((tree / "tests" / d).glob("*.xml")):
                if path.exists() and is_s390x(path):  # a dangling symlink does not exist
                    shutil.copyfile(path, staging / d / path.name)  # symlinks followed
        (staging / ".complete").write_text(f"{source} {version}\n")
        if home.exists():
            shutil.rmtree(home)
        staging.rename(home)
    return sorted(p for d in DIRS for p in (home / d).glob("*.xml"))
