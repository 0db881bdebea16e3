"""What the installer would configure from an append line: NetworkManager's initrd reader.

RHEL 9's initrd reads `ip=`, `nameserver=`, `rd.znet=` … with NetworkManager's
`nm-initrd-generator` (src/nm-initrd-generator/nmi-cmdline-reader.c); `-s` prints the
connection profiles it would write, as keyfiles, and writes nothing. Debian's
`network-manager` package ships the same program; it is fetched with `apt-get download`
and unpacked with `dpkg-deb -x` into the test cache (as stack.s390x_kernel() fetches the
s390x kernel), never installed. The shared libraries it needs are installed from Debian
when missing. Root and apt are needed for that; conftest.unavailable() turns the
StackUnavailable raised here into a skip with the reason (a failure in CI).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from tests.system.stack import CACHE, StackUnavailable, run

PACKAGE = "network-manager"
ROOT = CACHE / PACKAGE
GENERATOR = ROOT / "usr" / "lib" / "NetworkManager" / "nm-initrd-generator"
# the Debian 12 packages of the libraries it links (readelf -d: NEEDED), by soname
LIBRARIES = {
    "libgnutls.so.30": "libgnutls30",
    "libudev.so.1": "libudev1",
    "libsystemd.so.0": "libsystemd0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libglib-2.0.so.0": "libglib2.0-0",
}
_BLOCK = re.compile(r"\*\*\* (\w+) '(.*)' \*\*\*")

Profile = dict[str, dict[str, str]]  # keyfile section -> key -> value


def _missing_libraries(binary: Path) -> list[str]:
    out = run("ldd", str(binary), check=False).stdout
    return [line.split()[0] for line in out.splitlines() if "not found" in line]


def _need_root(what: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise StackUnavailable(f"{what} needs root and apt-get (Debian)")


def nm_initrd_generator() -> Path:
    """The cached nm-initrd-generator, fetched and made runnable on first use."""
    if not GENERATOR.exists():
        _need_root(f"fetching {PACKAGE} (apt-get download)")
        work = CACHE / "download"
        work.mkdir(parents=True, exist_ok=True)
        got = run("apt-get", "download", PACKAGE, cwd=work, check=False, timeout=900)
        if got.returncode != 0:  # an empty or stale package list
            run("apt-get", "update", "-qq", timeout=600)
            run("apt-get", "download", PACKAGE, cwd=work, timeout=900)
        debs = sorted(work.glob(f"{PACKAGE}_*.deb"))
        if not debs:
            raise StackUnavailable(f"apt-get download {PACKAGE} left no .deb in {work}")
        run("dpkg-deb", "-x", str(debs[-1]), str(ROOT), timeout=300)
        for deb in debs:
            deb.unlink()
        if not GENERATOR.exists():
            raise StackUnavailable(f"{debs[-1].name} holds no {GENERATOR.relative_to(ROOT)}")
    missing = _missing_libraries(GENERATOR)
    if missing:
        unknown = [so for so in missing if so not in LIBRARIES]
        if unknown:
            raise StackUnavailable(f"nm-initrd-generator needs {' '.join(unknown)}")
        packages = sorted({LIBRARIES[so] for so in missing})
        _need_root(f"installing {' '.join(packages)} for nm-initrd-generator")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env, timeout=600)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages,
            env=env, timeout=1200)  # fmt: skip
        if still := _missing_libraries(GENERATOR):
            raise StackUnavailable(f"after installing, still missing: {' '.join(still)}")
    return GENERATOR


@cache
def nm_output(append_line: str) -> str:
    """What `nm-initrd-generator -s -- <the append line's words>` prints (standard
    output, then its warnings). The kernel splits the command line at blanks
    (lib/cmdline.c; zwizard writes no quotes); every directory the reader could write
    to or read from (sysfs: iBFT, BOOTIF) is an empty temporary one."""
    generator = nm_initrd_generator()
    with tempfile.TemporaryDirectory(prefix="zwizard-nm-") as tmp:
        dirs = {flag: Path(tmp, flag.strip("-")) for flag in ("-c", "-p", "-i", "-d", "-r")}
        for path in dirs.values():
            path.mkdir()
        args = [word for flag, path in dirs.items() for word in (flag, str(path))]
        done = subprocess.run(
            [str(generator), *args, "-s", "--", *append_line.split()],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        written = [p for path in dirs.values() for p in path.rglob("*")]
    if done.returncode != 0:
        raise AssertionError(f"nm-initrd-generator failed ({done.returncode}): {done.stderr}")
    assert not written, f"nm-initrd-generator -s wrote files: {written}"
    return done.stdout + done.stderr


def nm_read(append_line: str) -> tuple[str | None, list[Profile], list[str]]:
    """(the host name it sets, the connection profiles, its warnings) for an append line."""
    hostname: str | None = None
    profiles: list[Profile] = []
    warnings: list[str] = []
    current: Profile | None = None
    section: dict[str, str] | None = None
    for line in nm_output(append_line).splitlines():
        if "<warn>" in line or "<error>" in line:
            warnings.append(line.split("]", 1)[-1].strip())
            continue
        block = _BLOCK.fullmatch(line.strip())
        if block:
            kind, name = block.groups()
            current = section = None
            if kind == "Hostname":
                hostname = name
            elif kind == "Connection":
                current = {"": {"name": name}}
                profiles.append(current)
            continue
        if current is None or not line.strip():
            continue
        if line.startswith("[") and line.endswith("]"):
            section = current.setdefault(line[1:-1], {})
        elif section is not None and "=" in line:
            key, _, value = line.partition("=")
            section[key] = value
    return hostname, profiles, warnings


def nm_profiles(append_line: str) -> list[Profile]:
    """The connection profiles NetworkManager's initrd reader makes of an append line:
    each a dict of keyfile sections ("connection", "ethernet", "ipv4", "ipv6" …), each a
    dict of keys to values as printed; the profile's name under profile[""]["name"]."""
    return nm_read(append_line)[1]
