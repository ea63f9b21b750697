"""The agent: runs inside the appliance, serves the host's calls (stdlib only)."""
