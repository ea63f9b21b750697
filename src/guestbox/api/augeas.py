# mypy: disable-error-code="empty-body"
"""Augeas: edit configuration files in the mounted guest as a tree."""

from __future__ import annotations

from .table import op
from .types import IntBool, Pathname


class AugeasOps:
    """Augeas: edit configuration files in the mounted guest as a tree.

    The appliance holds one Augeas handle (libaugeas, the library libguestfs's
    daemon uses) between calls; aug_init opens it, aug_close frees it.  Errors
    carry Augeas's own messages, as `aug_get: aug_get: PATH: Too many matches
    for path expression: ...`.
    """

    @op(group="augeas")
    def aug_init(self, root: Pathname, flags: int) -> None:
        """Create a new Augeas handle for the files under the guest directory root.

        Any handle open before is closed.  Call this before the other aug_*
        operations.  Files are read and written with root as the process's
        root directory, so the guest's absolute symlinks resolve inside the
        guest and nothing of the appliance is ever read or written (libguestfs
        follows them in its appliance); /augeas/root is therefore "/".

        flags is the logical or of Augeas's AUG_* values: AUG_SAVE_BACKUP = 1
        (keep the original as FILE.augsave), AUG_SAVE_NEWFILE = 2 (write
        FILE.augnew, leave the original), AUG_TYPE_CHECK = 4 (typecheck lenses;
        slow, needs memory), AUG_NO_STDINC = 8 (no standard lens directory),
        AUG_SAVE_NOOP = 16 (aug_save only records what it would change),
        AUG_NO_LOAD = 32 (load no file until aug_load), AUG_NO_MODL_AUTOLOAD =
        64 (load no lens module until a transform names it: much faster, about
        0.1 s instead of 5-8 s under TCG; then add files with aug_transform),
        AUG_ENABLE_SPAN = 128, AUG_NO_ERR_CLOSE = 256 (always set),
        AUG_TRACE_MODULE_LOADING = 512.

        Unlike libguestfs, a root that does not exist and unknown flag bits are
        errors (and leave an open handle as it was).  Other aug_* calls without
        a handle fail with "OP: you must call 'aug-init' first to initialize
        Augeas" (libguestfs puts its internal function name before "you").
        """
        ...

    @op(group="augeas")
    def aug_close(self) -> None:
        """Close the Augeas handle and free its memory; aug_init is needed again afterwards."""
        ...

    @op(group="augeas")
    def aug_defvar(self, name: str, expr: str | None) -> int:
        """Define the Augeas variable name ($name in paths) as the result of expr.

        expr None undefines it.  Returns the number of nodes in expr, or 0 if it
        is not a nodeset.
        """
        ...

    @op(group="augeas")
    def aug_defnode(self, name: str, expr: str, val: str) -> IntBool:
        """Define the variable name as the nodeset expr, creating the node (set to val)
        if expr matches none.

        Returns {i: the number of nodes in the nodeset, b: 1 if a node was created}.
        """
        ...

    @op(group="augeas")
    def aug_get(self, augpath: str) -> str:
        """The value of the node augpath, which must match exactly one node that has a value.

        The errors "no matching node" and "... (Augeas returned NULL match)" (a
        node without a value) name augpath, which libguestfs's do not.
        """
        ...

    @op(group="augeas")
    def aug_set(self, augpath: str, val: str) -> None:
        """Set the value of augpath (created if missing) to val; use aug_clear for no value."""
        ...

    @op(group="augeas")
    def aug_setm(self, base: str, sub: str | None, val: str) -> int:
        """Set sub, relative to every node base matches, to val; sub None sets the base
        nodes themselves.  Returns the number of nodes changed."""
        ...

    @op(group="augeas")
    def aug_insert(self, augpath: str, label: str, before: bool) -> None:
        """Insert a new sibling node label before (true) or after (false) augpath.

        augpath must match exactly one node; label must be a plain label (no /,
        no *, no [N] at its end).  A label with / fails with "invalid label"
        (libguestfs says "No error", as Augeas gives no reason).
        """
        ...

    @op(group="augeas")
    def aug_rm(self, augpath: str) -> int:
        """Remove the nodes augpath matches and their children; the number of nodes removed."""
        ...

    @op(group="augeas")
    def aug_mv(self, src: str, dest: str) -> None:
        """Move the node src (exactly one) to dest, which is replaced if it exists."""
        ...

    @op(group="augeas")
    def aug_match(self, augpath: str) -> list[str]:
        """The paths of the nodes the path expression augpath matches, each naming one node."""
        ...

    @op(writes=True, group="augeas")
    def aug_save(self) -> None:
        """Write every pending change to the guest's files, as the aug_init flags say.

        When Augeas cannot write a file the error quotes its reason from
        /augeas/files/FILE/error (libguestfs says only "No error").
        """
        ...

    @op(group="augeas")
    def aug_load(self) -> None:
        """(Re)load the files the transforms under /augeas/load name into the tree."""
        ...

    @op(group="augeas")
    def aug_ls(self, augpath: str) -> list[str]:
        """The children of augpath, sorted: aug_match of augpath/* (augpath must not end
        with /, ] or *)."""
        ...

    @op(group="augeas")
    def aug_clear(self, augpath: str) -> None:
        """Set the value of augpath (created if missing) to none, as augtool's clear."""
        ...

    @op(group="augeas")
    def aug_label(self, augpath: str) -> str:
        """The label (last path component's name) of augpath, which must match exactly one node.

        The error "no matching nodes found" names augpath (libguestfs's does not).
        """
        ...

    @op(group="augeas")
    def aug_transform(self, lens: str, file: str, remove: bool | None = None) -> None:
        """Have the lens (such as "Hosts.lns") handle the file (a path or glob) at the next
        aug_load; remove=True takes that transform away."""
        ...
