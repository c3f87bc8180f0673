"""Domain layer: the records, the vocabulary and the pure rules (no I/O)."""
