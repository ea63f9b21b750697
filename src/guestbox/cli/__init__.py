"""The `guestbox` command."""
