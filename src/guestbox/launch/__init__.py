"""Starting QEMU: the command line, the KVM probe, the process that never outlives us."""
