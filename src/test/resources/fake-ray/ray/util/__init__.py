"""ray.util, as far as deploy/ray/servebench_shards.py needs it (see ray/__init__.py)."""
