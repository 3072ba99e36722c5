"""Custom Rasa NLU components, referenced from config.yml by module path."""
