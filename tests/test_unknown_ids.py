"""An unknown theorem or assumption id is a ParameterError naming the id and the known ones, and
on the command line one line on stderr with exit code 2."""

from __future__ import annotations

import pytest

from pipeproof.checks.cli.main import main
from pipeproof.theory import assumptions
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.parameters import ParameterError


def test_unknown_theorem_id_is_a_parameter_error_naming_the_known_ids():
    with pytest.raises(ParameterError, match=r"'THR-NOPE'.*THR-GPIPE"):
        by_id("THR-NOPE")
    assert by_id("thr-gpipe").id == "THR-GPIPE"


def test_unknown_assumption_id_is_a_parameter_error():
    with pytest.raises(ParameterError, match=r"'A9'.*A1"):
        assumptions.by_id("A9")


@pytest.mark.parametrize("argv", [["show", "THR-NOPE"], ["--only", "THR-NOPE"],
                                  ["run", "--only", "THR-GPIPE", "THR-NOPE"]])
def test_the_command_line_names_the_unknown_id_in_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "THR-NOPE" in err[0] and err[0].startswith("pipeproof: error:")
