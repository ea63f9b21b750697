"""The wire protocol between the host library and the agent (stdlib only: both sides use it)."""
