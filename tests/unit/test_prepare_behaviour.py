"""Host preparation, from the fresh mutation samples of prepare.py (issue 22)."""

from __future__ import annotations

from tests.unit.test_prepare import AP, ibm_z_host, prep_for


def test_a_domain_past_nine_is_read_in_hex_when_the_host_loses_its_queues(tmp_path):
    """lszcrypt's and sysfs' APQNs are hex (07.001a is adapter 7, domain 26): taking
    domain 0x1a from the host's zcrypt takes 07.001a too, and the warning says so."""
    ibm_z_host(tmp_path)
    queue = tmp_path / "sys/bus/ap/devices/07.001a"
    queue.mkdir()
    (queue / "driver").symlink_to(tmp_path / "sys/bus/ap/drivers/cex4queue")
    from zwizard.host import discover

    host = discover("kvm", root=tmp_path, run=lambda args: None)
    _, prep = prep_for(host, passthrough=[{**AP, "domains": [4, 0x1A]}])
    leaving = next(f.message for f in prep.findings if "loses them" in f.message)
    assert "07.001a (cex4queue)" in leaving
