"""Demo data for `canbo demo`, written through the real application service as signed statements."""
