"""`guestbox shell`: a guestfish-compatible shell over the operation table."""
