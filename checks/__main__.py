"""``python -m pipeproof.checks``: the ``pipeproof`` command (:mod:`pipeproof.checks.cli.main`)."""

import sys

from pipeproof.checks.cli.main import main

sys.exit(main())
