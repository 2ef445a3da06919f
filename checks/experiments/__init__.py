"""Method comparisons at equal simulated time and the paper's experiments.

:mod:`.methods` reads method lists (``pipedream,rpd:delta=60,localsgd:H=5``), :mod:`.grid`
step-size grids, :mod:`.statistics` confidence intervals over seeds, :mod:`.sweep` runs every
method at every step size of a grid for every seed at one slot budget and keeps the best step
of each, :mod:`.figure` draws the gap against slots, :mod:`.catalog` holds the experiments as
records, :mod:`.claims` judges the paper's claims on their numbers and :mod:`.runner` runs an
experiment and writes its files.
"""
