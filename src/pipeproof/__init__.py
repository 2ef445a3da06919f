"""pipeproof: machine-checked theorems of pipeline-parallel training.

``pipeproof.theory`` states the theorems (records and formulas); ``pipeproof.checks`` checks them
(SymPy, Z3, exhaustive op tables, the numeric executor). The command line is ``pipeproof``.
"""
