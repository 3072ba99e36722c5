"""Response generation (configured in endpoints.yml under `nlg`)."""
