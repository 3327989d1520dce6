"""ray.util.placement_group, as far as deploy/ray/servebench_shards.py needs it."""

import concurrent.futures

import ray

_STRATEGIES = ("PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD")


class PlacementGroup:
    def __init__(self, bundles, strategy):
        self.bundles = bundles
        self.strategy = strategy
        self.removed = False

    def ready(self):
        future = concurrent.futures.Future()
        future.set_result(self)
        return ray.ObjectRef(future)


def placement_group(bundles, strategy="PACK", name="", lifetime=None):
    ray._require_init()
    if strategy not in _STRATEGIES:
        raise ValueError(f"Invalid placement group strategy {strategy}. Supported strategies "
                         f"are: {list(_STRATEGIES)}")
    if not bundles or not all(isinstance(b, dict) and b and all(v > 0 for v in b.values())
                              for b in bundles):
        raise ValueError(f"Bundles must be a non-empty list of non-empty resource maps: {bundles}")
    ray._log("placement_group", bundles=bundles, strategy=strategy)
    return PlacementGroup(bundles, strategy)


def remove_placement_group(placement_group):
    ray._log("remove_placement_group")
    placement_group.removed = True
