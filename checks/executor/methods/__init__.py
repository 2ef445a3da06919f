"""The training methods of the executor, one module per method."""
