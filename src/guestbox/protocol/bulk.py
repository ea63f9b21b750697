"""Bulk data through a transfer disk, when a stream is big.

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
"""

from __future__ import annotations

BULK_TARGETS = range(200, 250)
"""SCSI target ids of transfer disks (the guest's own disks are 0, 1, 2 ...)."""
BULK_MIN = 32 * 1024 * 1024
"""Streams at least this long go through a transfer disk (attaching one costs ~0.1 s)."""
BULK_OUT_SIZE = 1 << 40
"""Virtual size of the sparse file attached for output: the limit of one FileOut."""
