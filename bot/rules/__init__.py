"""Shipped requirement rules and the shared vocabulary, as TOML data (see README.md)."""
