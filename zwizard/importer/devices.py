"""Reading `<devices>`: each element to its device kind (zwizard.devices) or to the
domain-level device it is (console, watchdog, balloon, rng, inputs, graphics, video ...),
and what libvirt adds where the XML leaves a device out."""

from __future__ import annotations

from typing import Any, cast

from lxml import etree

from zwizard import xmlsafe
from zwizard.address import ccw_from_attributes
from zwizard.devices import BY_TAG
from zwizard.devices.channel import CONTROLLER
from zwizard.devices.disk import SCSI_CONTROLLER
from zwizard.importer.document import Change
from zwizard.importer.reader import Reader
from zwizard.model import Answers, InputType
from zwizard.parts import DEVICE_TAGS
from zwizard.rules import NEVER_AVAILABLE, Finding

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
        for key in (SCSI_CONTROLLER, CONTROLLER):  # the controllers libvirt adds for them
            if key in needed and key not in self.ccw_keys.values():
                groups["controllers"].append((len(groups["controllers"]), None, key))
        groups["controllers"].sort(key=lambda d: d[2] != SCSI_CONTROLLER)  # scsi first
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
            "input": self._input,
            "graphics": self._graphics,
            "video": self._video,
            "sound": self._sound,
            "console": self._console,
            "serial": self._console,
            "panic": self._panic,
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

    def _console(self, el: etree._Element, a: Answers) -> None:
        """The first console is the SCLP console zwizard writes; x86 serial ports are not
        on IBM Z; a further console (sclplm, the line-mode one) is listed, never dropped.
        libvirt's serial form of the same devices (<serial> with target sclp-serial and
        model sclpconsole or sclplmconsole, and the <console target type='serial'> it
        adds beside the first) is kept as console.serial; a virtio console (hvc0 in the
        guest) as console.virtio."""
        target = el.find("target")
        ttype = self.get(target, "type") if target is not None else None
        if el.tag == "serial" and ttype in ("isa-serial", "pci-serial", "usb-serial", "isa"):
            self.never("virtio-pci", el, f"{ttype} serial port")
            return
        model = target.find("model") if target is not None else None
        sclp_model = self.get(model, "name") if model is not None else None
        serial_form = el.tag == "serial" and ttype in ("sclp-serial", None)
        if el.tag == "console" and ttype in ("serial", None) and a.console.serial:
            # libvirt's alias of the first <serial> (a console without a target type
            # beside serials becomes it: virDomainDefAddConsoleCompat): written with it
            self.get(el, "type")
            self.take(target)
            self.get(target, "port")
            log = el.find("log")  # libvirt copies the serial's log here
            if log is not None:
                self.get(log, "file"), self.get(log, "append")
            return
        if el.tag == "console" and ttype == "virtio" and not a.console.virtio:
            a.console.virtio = True  # hvc0: a console of its own, not the SCLP one
            self.mark("console.virtio", el)
            if self.consoles == 0 and not a.console.serial:  # kept first, where it was
                a.console.virtio_first = True
                self.mark("console.virtio_first", el)
            self.take(target)
            self.get(target, "port")
            if self.get(el, "type") != "pty":
                what = f"<console> type {self.get(el, 'type')} -> pty"
                self.changed("ccw-only", el, what, whole=False)
            self.placed(el, "virtio-console")  # libvirt keeps a ccw address stated on it
            return
        self.consoles += 1
        if self.consoles > 1:
            line_mode = ttype == "sclplm" or (serial_form and sclp_model == "sclplmconsole")
            if line_mode and not a.console.line_mode and serial_form == a.console.serial:
                a.console.line_mode = True
                self.mark("console.line_mode", el)
                self.get(el, "type")
                self.take(target, model)
                self.get(target, "port")
                return
            self.lost(el, f"a further <{el.tag}> (target {ttype or 'default'})")
            return
        self.get(el, "type")
        self.take(target)
        if serial_form and sclp_model in ("sclpconsole", None):
            a.console.serial = True
            self.mark("console.serial", el)
            self.take(model)
        log = el.find("log")
        if log is not None and self.get(log, "file"):
            a.console.log = self.get(log, "file")
            a.console.log_append = self.get(log, "append") == "on"
            self.mark("console.log", log)
        if target is not None:
            self.get(target, "port")
        if ttype not in ("sclp", "sclp-serial", None):
            self.changed("ccw-only", el, f"<{el.tag}> target {ttype} -> SCLP console", whole=False)
        elif self.get(el, "type") != "pty":
            self.changed(
                "ccw-only", el, f"<{el.tag}> type {self.get(el, 'type')} -> pty", whole=False
            )

    def _panic(self, el: etree._Element, a: Answers) -> None:
        self.out.panic = True
        model = self.get(el, "model")
        if model not in (None, "s390"):
            self.changed("s390-machine", el, f"panic model {model} -> s390", whole=False)
        addr = el.find("address")
        if addr is not None and model in (None, "s390"):
            self.finding(
                addr,
                "ccw-address",
                "error",
                (
                    "the s390 panic device has no address (libvirt: setting the panic device "
                    "address is not supported for model 's390')"
                ),
            )
            self.changed("ccw-address", addr, "dropped the panic device's address")

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
            if key is None:
                self.lost(el, f"a {ctype} controller")
            elif key not in self.out.controllers:
                self.out.controllers[key] = self.at(el)
                self.placed(el, key)
                if key == SCSI_CONTROLLER:
                    self._scsi_driver(el.find("driver"), a)
            else:  # a second controller of a type: zwizard writes one
                self.lost(el, f"a further {ctype} controller (index {self.get(el, 'index')})")

    def _scsi_driver(self, driver: etree._Element | None, a: Answers) -> None:
        """The virtio-scsi controller's <driver>: its I/O thread is carried."""
        if driver is None:
            return
        thread = self.get(driver, "iothread")
        if thread is not None and thread.isdigit():
            a.guest.scsi_iothread = int(thread)
            self.mark("guest.scsi_iothread", driver)
        elif thread is not None:
            self.lost(driver, f"driver iothread='{thread}' (not a number)", whole=False)

    def _vnc(self) -> etree._Element | None:
        """The VNC display the answers carry as [graphics] (the first one)."""
        return next(iter(xmlsafe.find_all(self.root, "devices/graphics[@type='vnc']")), None)

    def _has_vnc(self) -> bool:
        return self._vnc() is not None

    def _input(self, el: etree._Element, a: Answers) -> None:
        bus = self.get(el, "bus")
        kind = self.get(el, "type")
        if bus in ("usb", "ps2", None):
            # libvirt puts an input without bus on USB except on x86, and USB is off on s390x
            on = bus or "no bus (USB, as libvirt places it)"
            never = "usb" if bus != "ps2" else "ps2"
            if kind in ("keyboard", "mouse", "tablet") and self._vnc() is not None:
                # beside a VNC display the input is kept, on the bus IBM Z has: dropped, the
                # display would take no key and no pointer
                rule, reason = NEVER_AVAILABLE[never]
                where, line = self.at(el)
                self.out.lines[where] = line
                self.out.findings.append(
                    Finding(rule, "error", where, f"{kind} input on {on}: {reason}")
                )
                if self._pointer(el, kind, a, carried=False):
                    self.out.changes.append(
                        Change(rule, where, line, f"{kind} input on {on} -> virtio-{kind}-ccw")
                    )
                return
            self.never(never, el, f"{kind} input on {on}")
        elif bus == "virtio" and kind in ("keyboard", "mouse", "tablet"):
            key = "keyboard" if kind == "keyboard" else "mouse"
            if self._vnc() is not None and key not in self.pointers:
                self._pointer(el, kind, a, carried=True)
            else:  # without a display, or beyond its keyboard and pointer: kept as it was
                if self._vnc() is None:  # worth a word: the guest has no screen to use it
                    rule, reason = NEVER_AVAILABLE["graphical-console"]
                    self.finding(el, rule, "note", f"{kind} input on virtio: {reason}")
                a.graphics.extra_inputs.append(cast(InputType, kind))
                self.take(el)  # type and bus are read; its address below, the rest is said
                self.placed(el, f"input{len(a.graphics.extra_inputs)}")
                self.mark("graphics.extra_inputs", el)
        else:
            self._console_note(el, f"{kind} input on {bus}")

    def _pointer(self, el: etree._Element, kind: str, a: Answers, *, carried: bool) -> bool:
        """A keyboard, mouse or tablet beside the VNC display, part of [graphics]: one
        keyboard and one pointer (a mouse or a tablet). False when one is there already."""
        key = "keyboard" if kind == "keyboard" else "mouse"  # the pointer: mouse or tablet
        if key in self.pointers:
            self.lost(el, f"a further {kind} (zwizard writes one keyboard and pointer)")
            return False
        self.pointers.add(key)
        if kind == "tablet":
            a.graphics.tablet = True
            self.mark("graphics.tablet", el)
        if carried:
            self.take(*el.iter())  # written again with [graphics], as it was
            self.placed(el, key)
        else:  # written again as the virtio one, said as a change; its USB address goes
            self.accounted.add(el)
        return True

    def _graphics(self, el: etree._Element, a: Answers) -> None:
        kind = self.get(el, "type")
        vnc = self._vnc()
        if kind != "vnc" or vnc is None or el is not vnc:
            self._console_note(el, f"{kind} graphics")
            return
        a.graphics.vnc = True
        self.mark("graphics.vnc", el)
        pointers = [
            i for i in self.root.findall("devices/input")
            if i.get("bus") in ("virtio", "usb", "ps2", None)
            and i.get("type") in ("keyboard", "mouse", "tablet")
        ]  # fmt: skip
        a.graphics.inputs = bool(pointers)  # none stated: none written
        self.get(el, "port"), self.get(el, "autoport")  # zwizard lets libvirt pick the port
        listen = el.find("listen")
        attr, child = self.get(el, "listen"), self.get(listen, "address")
        address = attr or child
        if listen is not None:
            self.get(listen, "type")  # read (so carried): zwizard writes the address
        a.graphics.listen = address or ""  # none stated: libvirt's own default, kept so
        for name in ("passwd", "keymap", "sharePolicy", "passwdValidTo", "connected"):
            if el.get(name) is not None:
                self.lost(el, f"attribute {name} of the VNC display", whole=False)

    def _video(self, el: etree._Element, a: Answers) -> None:
        model = el.find("model")
        mtype = self.get(model, "type") if model is not None else None
        if mtype not in ("virtio", "none", None):  # libvirt's default on s390x is virtio
            self.never("video", el, f"{mtype} video")
        elif mtype != "none" and self._has_vnc():
            self.take(*el.iter())  # virtio-gpu-ccw of [graphics]: graphics.videos of them
            self.videos += 1
            a.graphics.videos = self.videos
            self.mark("graphics.videos", el)
            self.get(model, "primary")
            heads = self.get(model, "heads")
            first = self.videos == 1
            if model is not None and first and heads is not None and heads.isdigit():
                a.graphics.heads = int(heads)  # the primary device's outputs
                self.mark("graphics.heads", model)
            elif model is not None and heads not in (None, "1"):
                what = f"heads='{heads}'" + ("" if first else " of a further video device")
                self.lost(model, what, whole=False)
            self.placed(el, "video" if self.videos == 1 else f"video{self.videos}")
        else:
            self._console_note(el, f"{mtype or 'default (virtio)'} video")

    def _console_note(self, el: etree._Element, what: str) -> None:
        """VNC with virtio-gpu-ccw and virtio input work on s390x (libvirt 9.0, QEMU 7.2):
        convert carries one VNC display as [graphics]; the rest is a note and listed."""
        rule, reason = NEVER_AVAILABLE["graphical-console"]
        self.finding(el, rule, "note", f"{what}: {reason}")
        self.lost(el, what)

    def _sound(self, el: etree._Element, a: Answers) -> None:
        self.never("sound", el, f"{self.get(el, 'model')} sound card")

    def _boot_dev(self, r: etree._Element, a: Answers) -> None:
        boots = r.findall("os/boot")
        if not boots:
            return
        for el in boots:
            self.never("os-boot-dev", el, f"<boot dev='{self.get(el, 'dev')}'>")
            self.out.boot_devs.append((self.get(el, "dev") or "", *self.at(el)))
