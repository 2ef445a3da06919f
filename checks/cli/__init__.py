"""The command line: ``pipeproof`` (also ``python -m pipeproof.checks``)."""
