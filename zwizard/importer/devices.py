"""Reading `<devices>`: each element to its device kind (zwizard.devices) or to the
domain-level device it is (console, watchdog, balloon, rng, inputs, graphics, video ...),
and what libvirt adds where the XML leaves a device out."""

from __future__ import annotations

from typing import Any

from lxml import etree

from zwizard.address import ccw_from_attributes
from zwizard.devices import BY_TAG
from zwizard.devices.channel import CONTROLLER
from zwizard.devices.disk_places import (
    SCSI_CONTROLLER,
    scsi_controller_index,
    scsi_controller_key,
    scsi_controllers,
)
from zwizard.importer.reader import Reader
from zwizard.model import Answers
from zwizard.parts import DEVICE_TAGS

# libvirt's order of giving free ccw addresses (zwizard.plan.CCW_ORDER): the groups of
# the <devices> children that take one on s390x
CCW_GROUPS = ("disks", "nics", "passthrough", "video", "controllers", "inputs", "shares",
              "memballoon", "rng", "vsock")  # fmt: skip


def ccw_group(el: etree._Element) -> str | None:
    """The group of a <devices> child libvirt gives a ccw address on s390x (its virtio
    devices, vfio-ccw and vhost-scsi), or None."""
    tag, kind = el.tag, el.get("type")
    model = el.get("model")
    child_model = el.find("model")
    if tag == "disk":
        target = el.find("target")
        return "disks" if target is not None and target.get("bus") == "virtio" else None
    if tag == "interface":
        nic_model = child_model.get("type") if child_model is not None else "virtio"
        return "nics" if nic_model == "virtio" else None
    if tag == "hostdev":
        ccw = (kind == "mdev" and model == "vfio-ccw") or kind == "scsi_host"
        return "passthrough" if ccw else None
    if tag == "video":
        vtype = child_model.get("type") if child_model is not None else None
        return "video" if vtype in (None, "virtio") else None  # s390x's default is virtio
    if tag == "controller":
        scsi = kind == "scsi" and model in (None, "virtio-scsi")
        return "controllers" if kind == "virtio-serial" or scsi else None
    if tag == "input":
        return "inputs" if el.get("bus") == "virtio" else None
    if tag == "filesystem":
        return "shares"
    if tag in ("memballoon", "rng", "vsock"):
        return tag if model in (None, "virtio") else None
    return None


class DeviceParts(Reader):
    """The devices, read onto the answers."""

    def _implicit_devices(
        self, r: etree._Element, devices: etree._Element | None, a: Answers
    ) -> None:
        """What libvirt does about devices the XML leaves out: it adds a virtio balloon
        when <memballoon> is absent (docs/rules.md 8b), and never adds an rng."""
        if a.rng.enabled is None:
            a.rng.enabled = False
        if a.memory.balloon is not None:
            return
        se = r.find("launchSecurity")
        if a.secure_execution.enabled and se is not None:
            self.finding(
                devices if devices is not None else r,
                "se-no-balloon-rng",
                "error",
                "no <memballoon> element, so libvirt adds a virtio balloon, which a secure "
                "guest cannot have: write <memballoon model='none'/>",
            )
            self.changed(
                "se-no-balloon-rng",
                se,
                "memballoon model none written (it was absent)",
                whole=False,
            )
            a.memory.balloon = False
        else:
            a.memory.balloon = True

    # -- devices ------------------------------------------------------------------------

    def _input_addresses(self, devices: etree._Element | None, a: Answers) -> None:
        """The ccw address libvirt gives each device of the document (qemuDomainAssign-
        S390Addresses: stated ones reserved, then the lowest free devno in fe.0 in the
        order of CCW_GROUPS, disks by target), the devices libvirt adds itself included:
        Imported.input_ccw, for the devices carried."""
        from zwizard.address import VIRTUAL_CSSID, Ccw, parse_ccw
        from zwizard.devices.disk_places import target_index

        groups: dict[str, list[tuple[Any, str | None, str | None]]] = {g: [] for g in CCW_GROUPS}
        for el in devices if devices is not None else ():
            # a device the document has on SCSI: libvirt adds the controllers for it there
            on_bus = el.find("target[@bus='scsi']") is not None
            if (el.tag == "disk" and on_bus) or (el.tag == "hostdev" and el.get("type") == "scsi"):
                self.out.scsi_stated = True
            group = isinstance(el.tag, str) and ccw_group(el)
            if not group:
                continue
            addr = el.find("address")
            stated = None
            if addr is not None and addr.get("type") == "ccw":
                raw = [addr.get(k) for k in ("cssid", "ssid", "devno")]
                stated = ccw_from_attributes(*raw) if any(raw) else None
            order: Any = len(groups[group])
            if group == "disks":
                target = el.find("target")
                order = target_index(target.get("dev", "") if target is not None else "")
            groups[group].append((order, stated, self.ccw_keys.get(el)))
        # what libvirt adds where the document leaves it out: a virtio video beside a
        # display, a virtio balloon
        if a.graphics.vnc and not groups["video"]:
            groups["video"].append((0, None, "video"))
        if devices is None or devices.find("memballoon") is None:
            groups["memballoon"].append((0, None, "memballoon" if a.memory.balloon else None))
        from zwizard.devices import entries

        needed = {kind.controller(item) for kind, _, item in entries(a)}
        if a.console.virtio:
            needed.add(CONTROLLER)
        # the controllers libvirt adds for them, after those the document states (which
        # keep the document's order: libvirt 9.0 gives a virtio-serial controller stated
        # before the SCSI one the lower address, seen): the SCSI ones the disks sit on
        # (sdh on controller 1), then virtio-serial
        scsi = scsi_controllers(a) if SCSI_CONTROLLER in needed else []
        for key in (*scsi, CONTROLLER):
            if (key in scsi or key in needed) and key not in self.ccw_keys.values():
                groups["controllers"].append((len(groups["controllers"]), None, key))
        groups["disks"].sort(key=lambda d: d[0])
        slots = [(stated, holder) for g in CCW_GROUPS for _, stated, holder in groups[g]]
        # libvirt reserves every stated ccw address first, a console's too
        stated_anywhere = [
            ccw_from_attributes(*(addr.get(k) for k in ("cssid", "ssid", "devno")))
            for addr in (devices.iterfind("*/address[@type='ccw']") if devices is not None else ())
        ]
        taken = {c for text in stated_anywhere if text and (c := parse_ccw(text))}
        devno = 0
        for stated, holder in slots:
            busid = stated
            if busid is None:
                while Ccw(VIRTUAL_CSSID, 0, devno) in taken:
                    devno += 1
                taken.add(Ccw(VIRTUAL_CSSID, 0, devno))
                busid = Ccw(VIRTUAL_CSSID, 0, devno).busid
            if holder is not None and stated is None:  # a stated one is carried as it is
                self.out.input_ccw[holder] = busid

    def address(self, el: etree._Element, path: str) -> str | None:
        """ccw bus-id of a device, or a finding for a PCI/USB/drive address.

        libvirt reads the three ccw numbers with base 0 (0xfe, 254 and 0376 are one cssid)
        and assigns all three when none is given; a partial address it refuses."""
        addr = el.find("address")
        if addr is None:
            return None
        kind = self.get(addr, "type")
        if kind == "ccw":
            raw = [self.get(addr, k) for k in ("cssid", "ssid", "devno")]
            if all(v is None for v in raw):
                return None  # libvirt assigns it, as zwizard does
            busid = ccw_from_attributes(*raw)
            if busid is None:
                self.finding(
                    addr,
                    "ccw-address",
                    "error",
                    (
                        "a ccw address needs all of cssid, ssid and devno, as numbers "
                        f"(found cssid={raw[0]!r} ssid={raw[1]!r} devno={raw[2]!r})"
                    ),
                )
            return busid
        if kind == "drive":  # a SCSI disk's place on its controller, derived from its target
            self.changed("ccw-address", addr, "drive address dropped: derived from the target")
            return None
        if kind in ("pci", "usb", "virtio-mmio", "isa", "spapr-vio"):
            self.never(
                "virtio-pci" if kind == "pci" else "usb" if kind == "usb" else "virtio-pci",
                addr,
                f"{kind} address",
            )
        return None

    def _device(self, el: etree._Element, a: Answers) -> None:
        tag = el.tag
        kind = BY_TAG.get(tag)
        if kind is not None:  # a listed device kind reads its own element
            entries = getattr(a, kind.key)
            path = f"{kind.key}[{len(entries)}]"
            item = kind.read(self, el, path)
            if item is not None:
                entries.append(item)
                self.mark(path, el)
                if kind.on_ccw(item):
                    self.ccw_keys[el] = path
            return
        part = DEVICE_TAGS.get(tag)
        if part is not None:  # a domain-level part reads its own element
            part.read(self, el, a)
            return
        handler = {
            "controller": self._controller,
            "sound": self._sound,
        }.get(tag)
        if handler:
            handler(el, a)
        elif tag == "emulator":
            self.changed(
                "s390-machine", el, f"emulator {self.text(el)} dropped: libvirt picks the host's"
            )
        elif tag == "audio" and el.get("type") == "none" and len(el) == 0:
            # libvirt's own: it adds <audio type='none'/> to a guest without sound and
            # does again at define (libvirt 9.0, seen in dumpxml of every zwizard guest)
            self.get(el, "type")
            self.get(el, "id")
        elif tag == "parallel":
            self.never("parallel", el, "parallel port")
        elif tag == "redirdev" or tag == "smartcard":
            self.never("usb", el, f"<{tag}>")
        else:
            self.lost(el, f"<{tag}> device")

    def boot(self, el: etree._Element, dev: Any, path: str) -> None:
        boot = el.find("boot")
        if boot is not None and (self.get(boot, "order") or "").lstrip("-").isdigit():
            dev.boot_order = int(self.get(boot, "order") or 0)
            dev.loadparm = self.get(boot, "loadparm")
            self.mark(f"{path}.boot_order", boot)
            self.mark(f"{path}.loadparm", boot)

    def placed(self, el: etree._Element, key: str) -> None:
        """The stated ccw address of a device without an answers list of its own (balloon,
        rng, controllers, video, inputs): carried as addresses[key], its key in Plan.ccw."""
        self.ccw_keys[el] = key
        busid = self.address(el, el.tag)
        if busid is not None:
            self.out.answers.addresses[key] = busid
            address = el.find("address")  # an element with no children is falsy: compare
            self.mark(f"addresses.{key}", address if address is not None else el)

    def _controller(self, el: etree._Element, a: Answers) -> None:
        ctype, model = self.get(el, "type"), self.get(el, "model")
        self.get(el, "index")
        if ctype == "usb" and model != "none":
            self.never("usb", el, f"USB controller {model or ''}".rstrip())
        elif ctype == "usb" and a.guest.no_usb:  # libvirt: "Can't add another USB controller"
            self.lost(el, "a further USB controller model none")
        elif ctype == "usb":  # the statement that there is none: carried as stated
            a.guest.no_usb = True
            self.mark("guest.no_usb", el)
        elif ctype == "pci" and model == "pci-bridge":
            self._pci_bridge(el, a)
        elif ctype == "pci":
            if model not in ("pci-root",):
                self.never("pci-controller", el, f"PCI controller {model}")
            else:
                self.changed("ccw-only", el, "pci-root controller: libvirt adds what it needs")
        elif ctype in ("sata", "ide", "fdc"):
            self.never("virtio-pci", el, f"{ctype} controller")
        elif ctype == "scsi" and model not in (None, "virtio-scsi"):
            self.never("virtio-pci", el, f"SCSI controller {model}")
        else:
            key = {"scsi": SCSI_CONTROLLER, "virtio-serial": CONTROLLER}.get(ctype or "")
            index = self.get(el, "index") or "0"
            if key == SCSI_CONTROLLER and index.isdigit():  # controller 1 on: sdh … sit there
                key = scsi_controller_key(int(index))
            if key is None:
                self.lost(el, f"a {ctype} controller")
            elif key not in self.out.controllers:
                self.out.controllers[key] = self.at(el)
                self.placed(el, key)
                if (n := scsi_controller_index(key)) is not None:
                    self._scsi_driver(el, a, n)
            else:  # a second controller of a type and index (virtio-serial: zwizard writes one)
                self.lost(el, f"a further {ctype} controller (index {self.get(el, 'index')})")

    def _pci_bridge(self, el: etree._Element, a: Answers) -> None:
        """A pci-bridge: a guest PCI bus zPCI functions sit on (libvirt adds one for a
        function on bus 1 on); carried with its index, place, chassis and zPCI ids."""
        from zwizard.address import PCI_KEYS, pci_from_attributes
        from zwizard.model import PciBridge, Zpci

        index = self.get(el, "index") or ""
        if not index.isdigit():
            self.lost(el, f"a pci-bridge controller with index '{index}' (not a number)")
            return
        path = f"pci_bridges[{len(a.pci_bridges)}]"
        bridge = PciBridge(index=int(index))
        named = el.find("model")
        if named is not None and self.get(named, "name") == "pci-bridge":  # libvirt's own
            self.take(named)
        target = el.find("target")
        chassis = self.get(target, "chassisNr") if target is not None else None
        if target is not None and chassis is not None and chassis.isdigit():
            bridge.chassis = int(chassis)
            self.mark(f"{path}.chassis", target)
        elif target is not None and chassis is not None:
            self.lost(target, f"chassisNr='{chassis}' (not a number)", whole=False)
        addr = el.find("address")
        if addr is not None and self.get(addr, "type") == "pci":
            values = [self.get(addr, k) for k in PCI_KEYS]
            if any(v is not None for v in values):  # the bridge's own slot: the guest's ABI
                bridge.address = pci_from_attributes(values)
                self.mark(f"{path}.address", addr)
            zpci = addr.find("zpci")
            if zpci is not None:  # a missing id is assigned, as libvirt does
                bridge.zpci = Zpci(uid=self.get(zpci, "uid"), fid=self.get(zpci, "fid"))
                self.mark(f"{path}.zpci", zpci)
        a.pci_bridges.append(bridge)
        self.mark(path, el)

    def _scsi_driver(self, el: etree._Element, a: Answers, index: int) -> None:
        """A virtio-scsi controller's <driver>: controller 0's I/O thread as the guest's
        (guest.scsi_iothread), the rest as the controller's own settings."""
        from zwizard.codec import Prop, read_all
        from zwizard.devices.disk import SCSI_DRIVER
        from zwizard.model import ScsiController

        driver = el.find("driver")
        if driver is None:
            return
        props: tuple[Prop, ...] = SCSI_DRIVER
        if index == 0:
            props = tuple(p for p in SCSI_DRIVER if p.key != "iothread")
            thread = self.get(driver, "iothread")
            if thread is not None and thread.isdigit():
                a.guest.scsi_iothread = int(thread)
                self.mark("guest.scsi_iothread", driver)
            elif thread is not None:
                self.lost(driver, f"driver iothread='{thread}' (not a number)", whole=False)
        settings = ScsiController(index=index)
        path = f"scsi_controllers[{len(a.scsi_controllers)}]"
        read_all(props, self, el, settings, path)
        if any(getattr(settings, p.key) is not None for p in props):
            a.scsi_controllers.append(settings)

    def _sound(self, el: etree._Element, a: Answers) -> None:
        self.never("sound", el, f"{self.get(el, 'model')} sound card")

    def _boot_dev(self, r: etree._Element, a: Answers) -> None:
        boots = r.findall("os/boot")
        if not boots:
            return
        for el in boots:
            self.never("os-boot-dev", el, f"<boot dev='{self.get(el, 'dev')}'>")
            self.out.boot_devs.append((self.get(el, "dev") or "", *self.at(el)))
