"""Input channels, hardened subclasses of Rasa's own (see credentials.yml)."""
