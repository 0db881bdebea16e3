"""Many hosts: a z14 and two z15s (recorded shapes, labelled synthetic), read through
libvirt as another machine is, judged together; and a host that does not answer."""

from __future__ import annotations

import re
import time

from tests.helpers import AP_UUID, ROOT, answers, run_zwizard
from zwizard.host import HostInfo, discover, is_remote
from zwizard.hosts import common_ground, table
from zwizard.rules import check

RULES_TESTED_HERE = {"hosts-common"}
DATA = ROOT / "tests/data/host"
QUEUE_XML = """<device><name>ap_05_0004</name><parent>ap_card05</parent>
<driver><name>{driver}</name></driver>
<capability type='ap_queue'><ap-adapter>0x05</ap-adapter><ap-domain>0x0004</ap-domain>
</capability></device>"""
MDEV_XML = f"""<device><name>mdev_{AP_UUID.replace("-", "_")}_matrix</name><parent>ap_matrix</parent>
<capability type='mdev'><type id='vfio_ap-passthrough'/><uuid>{AP_UUID}</uuid>
<attr name='assign_adapter' value='0x06'/><attr name='assign_domain' value='0x0004'/>
<attr name='assign_control_domain' value='0x0004'/>
</capability></device>"""
PCI_XML = """<device><name>pci_0001_00_00_0</name><driver><name>mlx5_core</name></driver>
<capability type='pci'><domain>1</domain><bus>0</bus><slot>0</slot><function>0</function>
</capability></device>"""


def remote_host(gen: str, *, nets: str = "default\n", queue_driver: str = "cex4queue"):
    """What `virsh -c qemu+ssh://<gen>/system` answers, command by command."""
    answers_for = {
        ("uri",): f"qemu+ssh://{gen}/system\n",
        ("domcapabilities",): (DATA / f"domcaps-s390x-kvm-{gen[:3]}-synthetic.xml").read_text(),
        ("capabilities",): (DATA / f"capabilities-s390x-{gen[:3]}-synthetic.xml").read_text(),
        ("version",): "Using library: libvirt 9.0.0\nRunning hypervisor: QEMU 8.2.0\n",
        ("list",): "\n",
        ("net-list",): nets,
        ("pool-list",): "\n",
        ("iface-list",): " Name   State   MAC Address\n---------------\n br0  active  02:00\n"
        " encbdf0  active  02:01\n",
        ("iface-dumpxml", "br0"): "<interface type='bridge' name='br0'/>",
        ("iface-dumpxml", "encbdf0"): "<interface type='ethernet' name='encbdf0'/>",
        ("nodedev-list", "mdev"): f"mdev_{AP_UUID.replace('-', '_')}_matrix\n",
        ("nodedev-list", "ap_queue"): "ap_05_0004\nap_06_0004\n",
        ("nodedev-list", "ap_matrix"): "ap_matrix\n",
        ("nodedev-list", "pci"): "pci_0001_00_00_0\n",
        ("nodedev-list", "ccw"): "ccw_0_0_1234\nccw_0_0_bdf0\n",
        ("nodedev-list", "css"): "css_0_0_0013\n",
        ("nodedev-dumpxml", "ap_05_0004"): QUEUE_XML.format(driver=queue_driver),
        ("nodedev-dumpxml", "ap_06_0004"): QUEUE_XML.format(driver="vfio_ap"),
        ("nodedev-dumpxml", f"mdev_{AP_UUID.replace('-', '_')}_matrix"): MDEV_XML,
        ("nodedev-dumpxml", "pci_0001_00_00_0"): PCI_XML,
    }

    def run(args: list[str]) -> str | None:
        for key in (tuple(args[:2]), tuple(args[:1]), (args[0], args[-1])):
            if key in answers_for:
                return answers_for[key]
        if args[0] == "nodedev-list":
            return answers_for.get(("nodedev-list", args[-1]), "")
        return None

    return discover("kvm", uri=f"qemu+ssh://root@{gen}/system", run=run)


def test_another_host_is_read_through_libvirt_alone(tmp_path):
    h = remote_host("z15a")
    assert is_remote(h.uri) and h.label == "z15a" and h.reachable
    assert h.host_model == "gen15a-base" and h.s390_pv is True
    assert h.machines[-1] == "s390-ccw-virtio-rhel9.4.0"
    assert h.canonical_machine == "s390-ccw-virtio-rhel9.4.0"
    assert [(m.uuid, m.kind, m.parent) for m in h.mdevs] == [(AP_UUID, "vfio-ap", "ap_matrix")]
    assert h.ap.matrix[AP_UUID] == {"06.0004"} and h.ap.control[AP_UUID] == {4}
    assert h.ap.queues == {"05.0004": "cex4queue", "06.0004": "vfio_ap"}
    assert [(p.address, p.driver) for p in h.pci] == [("0001:00:00.0", "mlx5_core")]
    assert {d.busid for d in h.dasds} == {"0.0.1234", "0.0.bdf0"} and not h.dasd_state_known
    assert [(i.name, i.bridge) for i in h.interfaces] == [("br0", True), ("encbdf0", False)]
    assert h.qemu_version == (8, 2, 0)
    assert h.emulator == "/usr/bin/qemu-system-s390x"  # domcapabilities names it
    # what libvirt does not expose is said, once, naming the host
    assert any("z15a: read through libvirt" in u for u in h.unavailable)
    # nothing of this machine's sysfs was read for it
    assert not (tmp_path / "sys").exists()


def test_the_common_ground_of_a_z14_and_two_z15s():
    hosts = [remote_host("z14dr"), remote_host("z15a"), remote_host("z15b")]
    ground = common_ground(hosts)
    assert ground.newest_cpu == "z14.2"
    assert ground.newest_machine == "s390-ccw-virtio-rhel8.6.0"
    assert not ground.secure_execution
    lines = "\n".join(table(hosts))
    assert "z14dr  (qemu+ssh://root@z14dr/system)" in lines
    assert "host-model CPU         z14.2-base" in lines
    assert "common to z14dr, z15a, z15b:" in lines
    assert "newest CPU model       z14.2" in lines


def test_a_model_not_every_host_runs_is_refused_with_the_shared_one_offered():
    hosts = [remote_host("z14dr"), remote_host("z15a")]
    a = answers(cpu={"mode": "custom", "model": "gen15a"})
    found = [f for f in check(a, host=hosts) if f.rule == "host-cpu-model"]
    assert [f.severity for f in found] == ["error"]
    assert "cannot run on z14dr" in found[0].message
    assert "use cpu.model = 'z14.2'" in found[0].message
    ok = answers(cpu={"mode": "custom", "model": "z14.2"})
    assert not [f for f in check(ok, host=hosts) if f.rule == "host-cpu-model"]


def test_each_hosts_findings_name_it_and_host_model_is_warned():
    hosts = [remote_host("z14dr", nets=""), remote_host("z15a")]
    a = answers(cpu={"mode": "host-model"})
    findings = check(a, host=hosts)
    net = [f for f in findings if f.rule == "host-network"]
    assert [f.message for f in net] == ["on z14dr: libvirt network 'default' is not defined here"]
    common = {f.path: f for f in findings if f.rule == "hosts-common"}
    assert (
        "z14.2-base" in common["cpu.mode"].message and "gen15a-base" in common["cpu.mode"].message
    )
    assert "cpu.model = 'z14.2'" in common["cpu.mode"].message
    assert "define the guest on the host with the oldest QEMU" in common["guest"].message


def test_a_host_that_does_not_answer_is_reported_at_once_never_awaited():
    calls = []

    def silent(args: list[str]) -> str | None:
        calls.append(args)
        return None

    started = time.monotonic()
    h = discover("kvm", uri="qemu+ssh://root@gone.example/system", run=silent)
    assert time.monotonic() - started < 1
    assert (
        not h.reachable and "cannot reach qemu+ssh://root@gone.example/system" in h.unavailable[0]
    )
    # asked once for everything, then nothing more
    assert len(calls) == len({tuple(c) for c in calls})
    judged = check(answers(), host=[h, remote_host("z15a")])
    assert any(f.rule == "hosts-common" and "gone.example was not judged" in f.message
               for f in judged)  # fmt: skip


def test_ssh_uris_never_prompt_and_a_dead_host_ends_the_command(tmp_path):
    from zwizard.host import batch_uri

    assert batch_uri("qemu+ssh://root@z15a/system") == "qemu+ssh://root@z15a/system?no_tty=1"
    assert batch_uri("qemu+ssh://z/system?keyfile=/k") == "qemu+ssh://z/system?keyfile=/k&no_tty=1"
    assert batch_uri("qemu:///system") == "qemu:///system"
    done = run_zwizard("hosts", "qemu+ssh://root@127.0.0.1:1/system")
    assert done.returncode == 1
    assert "not reachable: cannot reach qemu+ssh://root@127.0.0.1:1/system" in done.stdout


def test_host_info_defaults_are_a_local_reachable_host():
    h = HostInfo()
    assert h.reachable and h.label == "this host" and not is_remote(h.uri)


def test_prepare_against_another_host_says_what_only_that_host_can_tell():
    from tests.helpers import CCW_UUID
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare

    a = answers(disks=[], passthrough=[{"type": "vfio-ccw", "uuid": CCW_UUID, "dasd": "0.0.1234"}])
    prep = prepare(a, make_plan(a), remote_host("z15a"))
    assert prep.ok
    said = [f.message for f in prep.findings if f.rule == "host-dasd"]
    assert said == [
        "whether z15a uses DASD 0.0.1234 cannot be read through libvirt; the script checks it "
        "there before any change"
    ]
    gone = answers(
        disks=[], passthrough=[{"type": "vfio-ccw", "uuid": CCW_UUID, "dasd": "0.0.9999"}]
    )
    assert not prepare(gone, make_plan(gone), remote_host("z15a")).ok


def test_the_table_says_each_hosts_facts_and_who_was_not_reached():
    silent = discover("kvm", uri="qemu+ssh://root@gone.example/system", run=lambda args: None)
    hosts = [remote_host("z15a"), remote_host("z15b"), silent]
    lines = table(hosts)
    text = "\n".join(lines)
    z15a = text.split("z15b  (")[0]
    assert "Secure Execution       yes" in z15a
    assert "machine types          s390-ccw-virtio-rhel8.4.0 … s390-ccw-virtio-rhel9.4.0" in z15a
    assert "QEMU                   8.2.0" in z15a
    assert f"free mediated devices  {AP_UUID} (vfio-ap)" in z15a  # no guest holds it
    assert "note: z15a: read through libvirt" in z15a
    assert "gone.example  (qemu+ssh://root@gone.example/system)" in text
    assert "  not reachable: cannot reach" in text
    assert lines[-1] == "not judged (unreachable): gone.example"
    assert common_ground(hosts[:2]).secure_execution  # both z15s run secure guests
    assert "Secure Execution       on every host" in text
    z14 = "\n".join(table([remote_host("z14dr")]))
    assert "Secure Execution       no" in z14 and "common to" not in z14


def test_the_wizards_session_judges_on_every_host_and_offers_the_first():
    from zwizard.session import Session

    session = Session(answers(cpu={"mode": "custom", "model": "gen15a"}))
    session.use_hosts([remote_host("z15a", nets=""), remote_host("z14dr")])
    assert session.host.label == "z15a"  # its devices are the ones offered
    messages = [f.message for f in session.result.findings if f.severity == "error"]
    assert "on z15a: libvirt network 'default' is not defined here" in messages
    assert any("cannot run on z14dr: use cpu.model = 'z14.2'" in m for m in messages)


def test_a_mediated_device_is_known_by_its_node_device_name_too():
    from zwizard.host import HostInfo, read_node_devices

    name = f"mdev_{AP_UUID.replace('-', '_')}_matrix"
    xml = f"<device><name>{name}</name><parent>ap_matrix</parent><capability type='mdev'>"
    xml += "<type id='vfio_ap-passthrough'/></capability></device>"  # no <uuid> (older libvirt)
    lists = {"mdev": name}

    def run(args: list[str]) -> str | None:
        if args[0] == "nodedev-list":
            return lists.get(args[-1], "")
        return xml if args[0] == "nodedev-dumpxml" else ""

    info = HostInfo(uri="qemu+ssh://z15a/system", label="z15a")
    read_node_devices(run, info, {AP_UUID: "db01"})
    assert [(m.uuid, m.kind, m.in_use_by) for m in info.mdevs] == [(AP_UUID, "vfio-ap", "db01")]


def fake_virsh(tmp_path, monkeypatch, body: str):
    """A virsh on PATH that runs `body` (sh) with the command line in "$@"."""
    exe = tmp_path / "virsh"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")


def test_many_commands_go_over_one_connection_and_come_back_in_order(tmp_path, monkeypatch):
    from zwizard.host import Virsh

    # virsh -c URI "echo @@…0; net-list …; echo @@…1; nodedev-dumpxml gone; …": runs the
    # list, says nothing for the failing command, and goes on (as virsh does)
    fake_virsh(
        tmp_path,
        monkeypatch,
        r"""echo "$3" > "$(dirname "$0")/asked"
set -- $(echo "$3" | grep -o '@@zwizard-batch-[0-9a-f]*-[0-9]*')
printf '%s\ndefault\ninstall\n%s\n%s\nbr0\n' "$1" "$2" "$3"
echo "error: Node device not found" >&2""",
    )
    virsh = Virsh("qemu+ssh://root@z15a/system")
    got = virsh.batch([["net-list", "--name"], ["nodedev-dumpxml", "gone"], ["iface-list"]])
    assert got == ["default\ninstall\n", "", "br0\n"]
    asked = (tmp_path / "asked").read_text()
    mark = r"echo (?P<m>@@zwizard-batch-[0-9a-f]{32}-)0; net-list --name; echo (?P=m)1;"
    assert re.match(mark, asked), asked
    assert virsh.uri.endswith("?no_tty=1")  # ssh never asks for a password


def test_guest_data_cannot_forge_where_a_batched_answer_ends(tmp_path, monkeypatch):
    """A guest's <description> holding a marker-like line (the fixed marker of earlier
    versions, or any guess) stays inside that guest's definition: each call has its own."""
    from zwizard.host import Virsh

    fake_virsh(
        tmp_path,
        monkeypatch,
        r"""set -- $(echo "$3" | grep -o '@@zwizard-batch-[0-9a-f]*-[0-9]*')
printf '%s\n<domain><description>\n@@zwizard-batch-1\n@@zwizard-batch-0123-1\n' "$1"
printf '</description><hostdev/></domain>\n%s\n<domain>b</domain>\n' "$2"
""",
    )
    first, second = Virsh("qemu:///system").batch([["dumpxml", "a"], ["dumpxml", "b"]])
    assert "<hostdev/>" in first and "@@zwizard-batch-1" in first
    assert second == "<domain>b</domain>\n"


def test_a_connection_that_fails_says_virshs_words(tmp_path, monkeypatch):
    from zwizard.host import Virsh

    fake_virsh(
        tmp_path, monkeypatch, "echo 'error: failed to connect to the hypervisor' >&2; exit 1"
    )
    virsh = Virsh("qemu+ssh://root@z15a/system")
    assert virsh.batch([["uri"], ["version"]]) == [None, None]
    assert virsh.last_error == "error: failed to connect to the hypervisor"
    assert virsh(["uri"]) is None and "failed to connect" in virsh.last_error


def test_mdevctl_configurations_with_odd_values_are_read_not_fatal(tmp_path):
    import json

    from zwizard.host import read_ap

    conf = tmp_path / "etc/mdevctl.d/matrix"
    conf.mkdir(parents=True)
    (conf / AP_UUID).write_text(json.dumps({"attrs": [
        {"assign_adapter": "0x"}, {"assign_adapter": ""}, {"assign_adapter": "0x0a"},
        {"assign_domain": "12"}, {"assign_domain": "zz"}]}))  # fmt: skip
    (conf / "broken").write_text("{not json")
    state = read_ap(tmp_path / "sys", tmp_path)
    assert state.matrix[AP_UUID.lower()] == {"0a.000c"}
    assert state.matrix["broken"] == set() and not state.bus


def test_an_ap_bus_without_vfio_ap_loaded_is_still_an_ap_bus():
    from zwizard.host import HostInfo, read_node_devices

    def run(args: list[str]) -> str | None:  # queues, but no ap_matrix: vfio_ap not loaded
        if args[:1] == ["nodedev-list"]:
            return "ap_05_0004\n" if args[-1] == "ap_queue" else ""
        return QUEUE_XML.format(driver="cex4queue") if args[0] == "nodedev-dumpxml" else ""

    info = HostInfo(uri="qemu+ssh://z15a/system", label="z15a")
    read_node_devices(run, info, {})
    assert info.ap.bus and info.ap.queues == {"05.0004": "cex4queue"}


def test_a_host_that_hangs_mid_batch_costs_one_timeout(tmp_path, monkeypatch):
    from zwizard.host import Virsh

    fake_virsh(tmp_path, monkeypatch, "sleep 5")
    virsh = Virsh("qemu+ssh://root@z15a/system", timeout=0.3)
    started = time.monotonic()
    assert virsh.batch([["uri"], ["version"]]) == [None, None]
    assert time.monotonic() - started < 3
    assert virsh.last_error.startswith("no answer within")
