"""What virt-customize does to a guest, shared by `guestbox customize` and `guestbox sysprep`.

cmdline.py declares the customize options (in the order given they are
applied), run.py applies them to a mounted guest, guest.py opens the disks and
walks the operating systems found; the other modules hold one area each
(passwords, first boot scripts, commands run in the guest, ...).  sysprep_ops.py
lists virt-sysprep's operations, sysprep_work.py and sysprep_special.py do them.
"""
