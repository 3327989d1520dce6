"""ray.exceptions, as far as deploy/ray/servebench_shards.py meets it (see ray/__init__.py)."""


class RayTaskError(Exception):
    """What ray.get raises for a task that raised."""
