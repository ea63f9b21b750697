"""Libraries copied without their bulk data (appliance/elf.py): they still load and link."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guestbox.appliance import closure
from guestbox.appliance.elf import drop_data_object

ICUDATA = sorted(glob.glob("/usr/lib/x86_64-linux-gnu/libicudata.so.*.*"))

LOAD = r"""
import ctypes, sys
xml = ctypes.CDLL("libxml2.so.2")  # links libicuuc, which links libicudata
icu = ctypes.CDLL(sys.argv[1])
name = [line for line in open("/proc/self/maps") if "libicudata" in line][0].split()[-1]
data = ctypes.c_char.in_dll(icu, sys.argv[2])
print(name, ctypes.string_at(ctypes.addressof(data), 64) == bytes(64))
"""


@pytest.mark.skipif(not ICUDATA, reason="ICU (libicu72) is not installed")
def test_icu_data_is_left_out_and_the_library_still_loads(tmp_path: Path) -> None:
    real = ICUDATA[0]
    data = Path(real).read_bytes()
    small = drop_data_object(data)
    assert len(small) < 64 * 1024 < len(data)
    soname = os.path.basename(real).rsplit(".", 1)[0]  # libicudata.so.72
    (tmp_path / soname).write_bytes(small)
    symbol = "icudt" + soname.rsplit(".", 1)[1] + "_dat"
    p = subprocess.run([sys.executable, "-c", LOAD, soname, symbol], capture_output=True,
                       text=True, env={**os.environ, "LD_LIBRARY_PATH": str(tmp_path)})
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [str(tmp_path / soname), "True"]  # ours, and zeros


def test_other_files_are_left_as_they_are() -> None:
    assert drop_data_object(b"not an ELF file") == b"not an ELF file"
    python = Path(closure.PYTHON).read_bytes()  # its biggest segment is code: nothing to drop
    assert drop_data_object(python) == python


def test_only_icu_data_is_copied_without_its_data() -> None:
    assert all(closure.dataless(p) for p in ICUDATA)
    assert not closure.dataless("/usr/lib/x86_64-linux-gnu/libicuuc.so.72")
    assert not closure.dataless("/usr/lib/x86_64-linux-gnu/libaugeas.so.0")
