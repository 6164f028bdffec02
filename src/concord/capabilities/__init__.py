"""Capability, capacity and funding: what the system can bring to each threat, and the gaps."""
