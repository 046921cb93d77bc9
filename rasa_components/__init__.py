"""Our own Rasa NLU components, loaded by Rasa (.venv-rasa) from config.yml by module path."""
