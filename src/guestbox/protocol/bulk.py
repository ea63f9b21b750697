"""Bulk data through disks instead of virtio-serial: transfer disks for big streams,
the mailbox for big buffers.

virtio-serial moves data in page-sized buffers, which under emulation costs
both QEMU's I/O thread and the guest's CPU dearly.  So for a large FileIn
from a regular host file, the host attaches that very file read-only as a
raw disk on the virtio-scsi controller, at a SCSI target the guest's own
disks never use, and the agent reads the stream from that device; for a large
FileOut into a regular file, the host attaches the (sparse) temporary file
that becomes the destination, the agent writes the stream into it and says
how long it is.  The CALL document carries {"bulk": {"target": T, "size": N}}
(size only for input).  The guest sees nothing of the host but the data it
was going to get anyway; transfer disks never appear among the guest's disks.

The mailbox carries buffer arguments and results (pwrite's content, pread's
result ...) of MAILBOX_MIN bytes or more: a sparse host file attached from
the start as a virtio-blk disk (so it is /dev/vdX, outside the guest's
/dev/sdX names, and in the saved state) with serial MAILBOX_SERIAL.  The host
writes an argument at offset 0 and the CALL says {"mailbox": {"arg": NAME,
"size": N}}; the agent answers a big result with {"mailbox": N} after
writing it there.  The agent reads and writes it with O_DIRECT, so QEMU
moves the bytes; virtio-serial hands the guest one 4 KiB page per read.
"""

from __future__ import annotations

BULK_TARGETS = range(200, 250)
"""SCSI target ids of transfer disks (the guest's own disks are 0, 1, 2 ...)."""
BULK_MIN = 32 * 1024 * 1024
"""Streams at least this long go through a transfer disk (attaching one costs ~0.1 s)."""
BULK_OUT_SIZE = 1 << 40
"""Virtual size of the sparse file attached for output: the limit of one FileOut."""
MAILBOX_SERIAL = "guestbox-mailbox"
MAILBOX_SIZE = 64 * 1024 * 1024
"""Bytes of the mailbox: the largest buffer an argument or result may have (MAX_BUFFER)."""
MAILBOX_MIN = 64 * 1024
"""Buffers at least this long go through the mailbox (a disk request costs ~0.2 ms)."""
