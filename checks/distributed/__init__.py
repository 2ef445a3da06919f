"""PipeDream and 1F1B with a flush on ``torch.distributed``: S processes, one stage each.

The numeric executor (:mod:`pipeproof.checks.executor`) runs every stage in one process. This
package runs the same schedules as S real processes on one machine, one stage per process
(rank s holds block s), the activations and gradients sent point to point (``isend``/``irecv``
on a gloo process group on the CPU; NCCL where every stage has its own GPU), each stage updating
only its own block:

* :mod:`.jobs` - what one run is (schedule, objective, S, M, step size, seed) and the program
  each rank runs: its column of the op table from the policy simulator, in slot order;
* :mod:`.rank` - the process of one stage (weight stash, sends, receives, its log);
* :mod:`.launch` - the launcher: one process per rank (forked from a fork server that imported
  PyTorch once; spawned where there is no fork server) and a TCP rendezvous on a free local
  port, watched until every rank has finished, one has failed, or the time is up;
* :mod:`.replay` - the ranks' logs merged on the schedule's slot clock: per-op measurements,
  delays in block updates, the global iterates x^k and the loss trajectory;
* :mod:`.confirm` - the measurements against the executor's run of the same schedule, data and
  seed, and against the staleness theorems.

What a rank measures itself, on its own weights: the version every forward read, the version
its backward used (it must be the forward's, from the stash), the updates of its block between
the two (the version lag), the versions it holds after each forward, the activations it keeps,
and every version of its block. Delays in block updates count updates of *all* blocks between a
read and an update; separate processes share no clock that orders them, so the logs are merged
on the logical clock of the schedule, the slot of every op (within a slot by stage, the
convention C1; C0 counts earlier slots only). That clock is consistent with what really
happened: every message goes from a lower slot to a higher one (rules 3 and 4 of
:mod:`pipeproof.checks.executor.table_validity`) and every rank runs its ops in slot order.
"""
