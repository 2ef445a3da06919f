"""The readable report of a check run: HTML (self-contained) and Markdown, from the verdicts
JSON that ``pipeproof run`` writes (``pipeproof report``)."""
