"""`check` and `convert` on the shapes libvirt itself writes and accepts on s390x.

Each case is our own small definition of one shape (libvirt's s390x test files are
the model): "libvirt accepts it and no IBM Z rule forbids it" must mean no error;
what libvirt refuses must be an error; convert never drops anything without a word.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from lxml import etree

from tests.helpers import ROOT, run_zwizard
from zwizard.conversion import convert_domain
from zwizard.importer import check_domain, import_domain

HEAD = """<domain type='{type}'><name>g</name><memory unit='KiB'>2097152</memory>
<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>{cpu}<devices>
<disk type='file' device='disk'><source file='/var/lib/libvirt/images/g.qcow2'/>
<target dev='vda' bus='virtio'/></disk>{devices}</devices>{tail}</domain>"""


def doc(devices: str = "", *, cpu: str = "", tail: str = "", type: str = "kvm") -> bytes:
    return HEAD.format(devices=devices, cpu=cpu, tail=tail, type=type).encode()


def errors(data: bytes) -> list:
    return [x for x in check_domain(data, "t.xml") if x.finding.severity == "error"]


ACCEPTED = {
    "hda target on virtio": "<disk type='file' device='disk'><source file='/b'/>"
    "<target dev='hdb' bus='virtio'/></disk>",
    "vnc and virtio video and input": "<graphics type='vnc'/><video><model type='virtio'/>"
    "</video><input type='keyboard' bus='virtio'/><input type='mouse' bus='virtio'/>",
    "bare video": "<video/>",
    "zpci address without ids": "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
    "<address domain='0' bus='0' slot='0' function='0'/></source><address type='pci'/></hostdev>",
    "pci hostdev without any address": "<hostdev mode='subsystem' type='pci'><source>"
    "<address domain='0x0001' bus='0x00' slot='0x00' function='0x0'/></source></hostdev>",
    "zpci with only fid": "<hostdev mode='subsystem' type='pci'><source><address domain='0' "
    "bus='0' slot='0' function='0'/></source><address type='pci'><zpci fid='0x5'/></address>"
    "</hostdev><hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' "
    "slot='1' function='0'/></source><address type='pci'><zpci uid='0x7'/></address></hostdev>"
    "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' slot='2' "
    "function='0'/></source><address type='pci'><zpci uid='0x8'/></address></hostdev>",
    "decimal cssid": "<interface type='network'><source network='default'/>"
    "<model type='virtio'/><address type='ccw' cssid='254' ssid='2' devno='0xf00f'/></interface>",
    "empty ccw address": "<interface type='network'><source network='default'/>"
    "<model type='virtio'/><address type='ccw'/></interface>",
    "line-mode console": "<console type='pty'><target type='sclp'/></console>"
    "<console type='pty'><target type='sclplm'/></console>",
}


@pytest.mark.parametrize("shape", sorted(ACCEPTED))
def test_shapes_libvirt_accepts_have_no_error(shape):
    assert errors(doc(ACCEPTED[shape])) == []


REFUSED = {
    "panic with address": ("<panic model='s390'><address type='ccw' cssid='0xfe' ssid='0' "
                           "devno='0x0009'/></panic>", "ccw-address"),
    "parallel port": ("<parallel type='pty'><target port='0'/></parallel>", "ccw-only"),
    "virtiofs with boot order": ("<filesystem type='mount'><driver type='virtiofs'/><source "
                                 "dir='/srv'/><target dir='srv'/><boot order='2'/></filesystem>",
                                 "boot-order"),
    "partial ccw address": ("<interface type='network'><source network='default'/><address "
                            "type='ccw' cssid='0xfe'/></interface>", "ccw-address"),
    "usb input": ("<input type='tablet' bus='usb'/>", "ccw-only"),
    "qxl video": ("<video><model type='qxl'/></video>", "ccw-only"),
    # virDomainWatchdogDefParseXML: "unknown watchdog action"
    "unknown watchdog action": ("<watchdog model='diag288' action='explode'/>",
                                "watchdog-diag288"),
}  # fmt: skip


@pytest.mark.parametrize("shape", sorted(REFUSED))
def test_shapes_libvirt_refuses_are_errors(shape):
    xml, rule = REFUSED[shape]
    assert rule in {x.finding.rule for x in errors(doc(xml))}


def test_libvirts_own_tcg_dumpxml_is_clean():
    cpu = ("<cpu mode='custom' match='exact' check='none'>"
           "<model fallback='forbid'>qemu</model></cpu>")  # fmt: skip
    found = check_domain(doc(cpu=cpu, type="qemu"), "t.xml")
    assert [x for x in found if x.finding.severity != "note"] == []


def test_live_xml_of_a_host_model_guest_reads_as_host_model():
    cpu = ("<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>"
           "gen15a-base</model><feature policy='require' name='aen'/>"
           "<feature policy='require' name='vxpdeh'/></cpu>")  # fmt: skip
    data = doc(cpu=cpu)
    assert errors(data) == []
    assert import_domain(data).answers.cpu.mode == "host-model"


def test_secure_guest_without_memballoon_is_an_error():
    data = doc(tail="<launchSecurity type='s390-pv'/>")
    assert "se-no-balloon-rng" in {x.finding.rule for x in errors(data)}
    fixed = doc("<memballoon model='none'/>", tail="<launchSecurity type='s390-pv'/>")
    assert "se-no-balloon-rng" not in {x.finding.rule for x in errors(fixed)}


def test_convert_adds_no_rng_and_keeps_the_implicit_balloon():
    a = convert_domain(doc()).answers
    assert a.rng.enabled is False and a.memory.balloon is True


def test_messages_speak_xpath_not_answers_paths():
    data = doc(
        "<interface type='network'><source network='default'/><address type='ccw' "
        "cssid='0xfe' ssid='0' devno='0x0001'/></interface>"
        "<interface type='network'><source network='default'/><address type='ccw' "
        "cssid='0xfe' ssid='0' devno='0x0001'/></interface>"
    )
    (hit,) = [x for x in errors(data) if x.finding.rule == "ccw-address"]
    assert "/domain/devices/interface[1]" in hit.finding.message
    assert "nics[" not in hit.finding.message


def test_convert_says_what_it_did_with_an_unknown_watchdog_action():
    out = convert_domain(doc("<watchdog model='diag288' action='explode'/>"), "t.xml")
    assert out.answers.watchdog is not None and out.answers.watchdog.action == "reset"
    assert [c.what for c in out.changes if c.rule == "watchdog-diag288"] == [
        "watchdog action explode -> reset (poweroff, reset, shutdown, pause, dump, inject-nmi, none)"
    ]


def test_kib_memory_imports_exactly():
    assert import_domain(doc()).answers.guest.memory_mib == 2048


def test_convert_keeps_managed_no():
    data = doc(
        "<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0' "
        "bus='0' slot='0' function='0'/></source><address type='pci'><zpci uid='0x1' "
        "fid='0x0'/></address></hostdev>"
    )
    assert convert_domain(data).answers.passthrough[0].managed is False


def _output_has(out: etree._Element, name: str, value: str) -> bool:
    return any(el.get(name) == value for el in out.iter() if isinstance(el.tag, str))


def test_convert_of_a_production_definition_drops_nothing_silently(tmp_path):
    """Every element and attribute of the input is in the output or listed by convert."""
    src = ROOT / "tests" / "data" / "s390x" / "production.xml"
    r = run_zwizard("convert", str(src), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    listed = {
        line.split(": ")[2]
        for line in r.stdout.splitlines()
        if line.startswith(("changed:", "not carried:"))
    }
    out = etree.parse(str(tmp_path / "prod01.xml")).getroot()
    out_tags = {el.tag for el in out.iter() if isinstance(el.tag, str)}
    source = etree.parse(str(src))
    for el in source.getroot().iter():
        if not isinstance(el.tag, str):
            continue
        path = source.getpath(el)
        if any(path == p or path.startswith(p + "/") for p in listed):
            continue  # named as changed or not carried (itself or an ancestor)
        assert el.tag in out_tags, f"{path} vanished without a word"
        for name, value in el.attrib.items():
            said = any(f"{name}='{value}'" in line for line in r.stdout.splitlines())
            carried = _output_has(out, name, value) or name in ("type", "unit", "placement")
            assert said or carried or (el.text and el.text.strip()), (path, name, value)
    written = (tmp_path / "prod01.xml").read_text()
    # the production tuning is carried, not listed (issue: agent channel, iothreads,
    # io=native, MTU, kernel boot, keywrap)
    for word in ('io="native"', 'discard="unmap"', 'iothread="1"', 'queues="4"',
                 '<mtu size="8000"/>', "<iothreads>2</iothreads>", '<cipher name="aes" state="on"/>',
                 "<kernel>/var/lib/libvirt/boot/vmlinuz</kernel>", "<initrd>", "<cmdline>inst.repo",
                 "org.qemu.guest_agent.0", 'current="2"', '<target type="sclplm" port="1"/>'):  # fmt: skip
        assert word in written, word
    for name in ("io=", "discard=", "iothread=", "<mtu", "<iothreads>", "<keywrap>", "<kernel>",
                 "current=", "sclplm"):  # fmt: skip
        assert name not in r.stdout, name  # nor listed as not carried


def test_check_json_into_a_closed_pipe_is_quiet(tmp_path):
    big = tmp_path / "big.xml"
    nics = "<interface type='network'><source network='n'/></interface>" * 3000
    big.write_bytes(doc(nics))
    cmd = f"'{sys.executable}' -m zwizard check --format json '{big}' | head -c 10"
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr


def test_check_time_grows_linearly():
    import time

    def seconds(n: int) -> float:
        """The fastest of three: a busy host only ever adds time, so the minimum is
        the program's own (one run each flaked under load)."""
        data = doc("<interface type='network'><source network='n'/></interface>" * n)
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            check_domain(data, "t.xml")
            runs.append(time.perf_counter() - start)
        return min(runs)

    small, large = seconds(2000), seconds(16000)
    # quadratic growth would be 64x; linear is 8x (generous margin for a busy machine)
    assert large < small * 24, (small, large)
