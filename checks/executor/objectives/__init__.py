"""The objectives of the executor: a model split into S stages."""
