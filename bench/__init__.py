"""`make bench`: accuracy against baselines, latency, start-up and memory."""
