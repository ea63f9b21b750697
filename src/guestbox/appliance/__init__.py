"""The appliance: a kernel and an initramfs built from what is installed on the host."""
