# The two commands: `make demo` and `make test` set everything up, then run.
.PHONY: setup appliance demo test lint bench compare clean

setup:
	@scripts/setup-host

appliance: setup
	@.venv/bin/guestbox appliance build --quiet

demo: appliance
	@.venv/bin/guestbox demo

test: appliance
	.venv/bin/python -m pytest -q -ra

lint: setup
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy

bench: appliance
	.venv/bin/python bench/launch.py
	.venv/bin/python bench/io.py
	.venv/bin/python bench/boot.py
	.venv/bin/python bench/inspection.py
	.venv/bin/python bench/fuse.py

# guestfish and `guestbox shell` on the same scripts, the virt tools and guestbox's on the same
# images (slow: every libguestfs launch costs 10 s)
compare: appliance
	@command -v guestfish >/dev/null && command -v virt-inspector >/dev/null || \
		{ SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y libguestfs-tools guestfs-tools; }
	.venv/bin/python compare/run.py

clean:
	rm -rf .venv build src/*.egg-info
