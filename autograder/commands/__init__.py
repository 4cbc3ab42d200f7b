"""The ``autograder`` subcommands too long to sit in ``cli.py``, one module per flow."""
