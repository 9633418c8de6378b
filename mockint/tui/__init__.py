"""The Textual front end. Only this package (and cli/launch.py) imports textual."""
