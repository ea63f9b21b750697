"""The phony guests built by `guestbox shell` scripts are those the API builds.

phony.script(name) records a layout's builder as a guestfish script; it runs
here through `guestbox shell -a DISK -f SCRIPT` on blank disks, and both
images (the API-built one from the cache, and the shell-built one) are opened
read-only and compared: partition tables, LVs, filesystems with their labels
and explicitly set UUIDs, and every file's path, mode, owner, size, checksum,
extended attributes and symlink target.  Timestamps, random UUIDs and NTFS
serials are left out.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

import guestbox
from guestbox.cli.shell.args import convert
from guestbox.cli.shell.repl import lookup
from guestbox.cli.shell.words import parse_line
from tests import phony
from tests.cli.shell.test_shell_runs import shell

KNOWN_UUIDS = {phony.uuid(n) for n in range(1, 6)}
UNMOUNTABLE = {"swap", "unknown", "crypto_LUKS", "LVM2_member", "linux_raid_member"}


def build_by_shell(name: str, directory: Path) -> list[Path]:
    """Phony guest name built by `guestbox shell` running its script on blank disks.

    `-f SCRIPT`; or for the LUKS layouts `--keys-from-stdin` with the script on stdin,
    each key on the line after its command: guestfish reads keys from the stream the
    commands come from (-f FILE replaces stdin), so they cannot come from elsewhere.
    """
    count, sizes, _ = phony.LAYOUTS[name]
    recording = phony.recording(name)
    disks = [directory / f"{name}-{i}.img" for i in range(count)]
    args: list[str] = ["--format=raw"]
    for disk, size in zip(disks, sizes, strict=True):
        with open(disk, "wb") as f:
            f.truncate(size)
        args += ["-a", str(disk)]
    if recording.keys:
        r = shell("--keys-from-stdin", *args, stdin=recording.script_with_keys, cwd=directory)
    else:
        script = directory / f"{name}.gf"
        script.write_text(recording.script)
        r = shell(*args, "-f", str(script), cwd=directory)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    return disks


def layout(disks: list[Path], keys: list[str], signature: bool) -> dict[str, Any]:
    """What the images hold, read with the API, in terms that do not depend on chance."""
    g = guestbox.GuestFS()
    try:
        for disk in disks:
            g.add_drive_opts(str(disk), readonly=True, format="raw")
        g.launch()
        for key in keys:
            g.set_luks_key("all", key)
        renames = _decrypt(g) if keys else {}

        def canon(dev: str) -> str:
            for old, new in renames.items():
                dev = dev.replace(old, new)
            return dev

        out: dict[str, Any] = {
            "partitions": g.list_partitions(),
            "tables": {d: _table(g, d) for d in g.list_devices()},
            "lvs": {canon(lv): g.blockdev_getsize64(lv) for lv in g.lvs()},
        }
        filesystems = g.list_filesystems()
        out["filesystems"] = sorted((canon(d), t) for d, t in filesystems.items())
        md_uuids = [g.md_detail(md)["uuid"] for md in g.list_md_devices()]
        for dev, fstype in filesystems.items():
            out[canon(dev)] = _filesystem(g, dev, fstype, md_uuids)
        if signature:
            out["signature"] = g.pread_device("/dev/sda", 4, 0x1B8)
        return out
    finally:
        g.close()


def _decrypt(g: guestbox.GuestFS) -> dict[str, str]:
    """Open the LUKS devices; their mapper names (luks-UUID, random) renamed by source."""
    g.inspect_decrypt()
    return {f"luks-{g.luks_uuid(d)}": f"luks-of-{d}" for d in [*g.list_partitions(), *g.lvs()]
            if g.vfs_type(d) == "crypto_LUKS"}


def _table(g: guestbox.GuestFS, dev: str) -> Any:
    parttype = g.part_get_parttype(dev)
    parts = g.part_list(dev)
    ids = [g.part_get_mbr_id(dev, p["part_num"]) for p in parts] if parttype == "msdos" else []
    return parttype, parts, ids


def _filesystem(g: guestbox.GuestFS, dev: str, fstype: str,
                md_uuids: list[str]) -> dict[str, Any]:
    uuid = g.vfs_uuid(dev)
    out: dict[str, Any] = {"type": fstype, "label": g.vfs_label(dev),
                           "uuid": uuid if uuid in KNOWN_UUIDS else "random"}
    if fstype not in UNMOUNTABLE:
        g.mount_ro(dev, "/")
        out["files"] = _files(g, md_uuids)
        g.umount_all()
    return out


def _files(g: guestbox.GuestFS, md_uuids: list[str]) -> dict[str, tuple[Any, ...]]:
    """Each file's attributes and content; md arrays' random UUIDs in small files (fedora-md's
    mdadm.conf) replaced by their order."""
    out: dict[str, tuple[Any, ...]] = {}
    for rel in g.find("/"):
        path = f"/{rel}"
        st = g.lstatns(path)
        mode = st["st_mode"]
        entry: tuple[Any, ...] = (oct(mode), st["st_uid"], st["st_gid"])
        if stat.S_ISREG(mode) and st["st_size"] < 4096:
            content = g.read_file(path)
            for i, uuid in enumerate(md_uuids):
                content = content.replace(uuid.encode(), f"<md uuid {i}>".encode())
            entry += (content,)
        elif stat.S_ISREG(mode):
            entry += (st["st_size"], g.checksum("sha256", path))
        elif stat.S_ISLNK(mode):
            entry += (g.readlink(path),)
        entry += (sorted((x["attrname"], x["attrval"]) for x in g.lgetxattrs(path)),)
        out[path] = entry
    return out


def _same_as_api(name: str, directory: Path) -> None:
    keys = phony.recording(name).keys
    signature = name == "windows"  # the only layout whose MBR disk signature is not random
    api = layout(phony.images(name), keys, signature)
    by_shell = layout(build_by_shell(name, directory), keys, signature)
    assert by_shell == api
    assert any("files" in v for v in api.values() if isinstance(v, dict))


@pytest.mark.parametrize("name", ["debian", "archlinux", "fedora", "fedora-md", "fedora-btrfs",
                                  "windows"])
def test_shell_builds_the_same_guest(name: str, tmp_path: Path) -> None:
    _same_as_api(name, tmp_path)


@pytest.mark.parametrize("name", ["fedora-lvm-on-luks", "fedora-luks-on-lvm"])
def test_shell_builds_the_same_encrypted_guest(name: str, tmp_path: Path) -> None:
    _same_as_api(name, tmp_path)


# -- the scripts themselves (no appliance) ----------------------------------------------
@pytest.mark.parametrize("name", list(phony.LAYOUTS))
def test_every_script_line_is_a_command_the_shell_reads(name: str) -> None:
    recording = phony.recording(name)
    assert recording.lines[0] == "launch"
    for text in recording.lines:
        line = parse_line(text)
        if text.startswith("#"):
            assert line.kind == "empty" and " = " in text  # an answered query, noted
            continue
        if line.kind == "host" or line.pipe is not None:
            continue  # written verbatim (fedora-md's mdadm.conf)
        spec = lookup(line.words[0])
        assert spec is not None and line.kind == "command", text
        if not any(p.meaning == "Key" for p in spec.params):
            convert(spec, list(line.words[1:]))


def test_luks_scripts_prompt_for_their_keys_in_order() -> None:
    assert phony.recording("fedora-lvm-on-luks").keys == ["FEDORA", "FEDORA"]
    keys = phony.recording("fedora-luks-on-lvm").keys
    assert keys == [f"FEDORA-{lv}" for lv in ("Root", "LV1", "LV2", "LV3") for _ in range(2)]
    assert not any(k in phony.script("fedora-luks-on-lvm") for k in keys)
