"""The safety path: what counts as risk, how it is found, and for whom."""
