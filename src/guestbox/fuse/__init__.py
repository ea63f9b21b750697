"""The FUSE mount: a launched handle's guest filesystems served as a host directory (pyfuse3).

session.py makes, serves and unmounts the mount (mount_local, mount_local_run,
umount_local); ops.py answers the kernel's requests with agent calls; nodes.py
maps the kernel's inode numbers to guest paths; filedata.py holds the read
cache and the write buffer of each open file.
"""
