"""A stand-in for the part of Ray's Core API that deploy/ray/servebench_shards.py calls, for its
test (dev.servebench.run.RayRecipeTest); Ray itself cannot be installed where the suite runs.

Tasks run on threads of this process. Their arguments and results are pickled both ways, as Ray's
object store would, and each call is checked against Ray's own signatures and rules: ray.init
first, a remote function never called directly, a placement strategy Ray knows, a bundle index in
range and a task's CPUs within its bundle. Every call is appended as a JSON line to the file named
by FAKE_RAY_LOG, for the test to read. What it cannot stand for is Ray placing bundles on nodes.
"""

import concurrent.futures
import json
import os
import pickle
import threading

_lock = threading.Lock()
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=64)
_initialised = False

# The options Ray's remote functions take that the recipe might use.
_TASK_OPTIONS = {"num_cpus", "num_gpus", "memory", "resources", "max_retries", "retry_exceptions",
                 "scheduling_strategy", "name", "num_returns", "runtime_env"}


def _log(event, **fields):
    path = os.environ.get("FAKE_RAY_LOG")
    if path:
        with _lock, open(path, "a") as log:
            log.write(json.dumps(dict(event=event, **fields)) + "\n")


from ray.exceptions import RayTaskError


class ObjectRef:
    def __init__(self, future):
        self._future = future


def init(address=None, **kwargs):
    global _initialised
    _initialised = True
    _log("init", address=address)


def _require_init():
    if not _initialised:
        raise RuntimeError("Ray has not been started yet: call ray.init() first")


def _round_trip(value):
    return pickle.loads(pickle.dumps(value))


class RemoteFunction:
    def __init__(self, function, options):
        unknown = set(options) - _TASK_OPTIONS
        if unknown:
            raise ValueError(f"Invalid option keyword {sorted(unknown)} for remote functions")
        self._function = function
        self._options = options

    def __call__(self, *args, **kwargs):
        raise TypeError("Remote functions cannot be called directly. Instead of running "
                        f"'{self._function.__name__}()', try '{self._function.__name__}.remote()'.")

    def options(self, **options):
        return RemoteFunction(self._function, {**self._options, **options})

    def remote(self, *args, **kwargs):
        _require_init()
        strategy = self._options.get("scheduling_strategy")
        cpus = self._options.get("num_cpus", 1)
        bundle = None
        if strategy is not None:
            group = strategy.placement_group
            index = strategy.placement_group_bundle_index
            if group.removed:
                raise ValueError("the placement group has been removed")
            if not -1 <= index < len(group.bundles):
                raise ValueError(f"bundle index {index} is out of range for "
                                 f"{len(group.bundles)} bundles")
            bundle = index
            if index >= 0 and cpus > group.bundles[index].get("CPU", 0):
                raise ValueError(f"the task asks {cpus} CPU, its bundle holds "
                                 f"{group.bundles[index].get('CPU', 0)}")
        args, kwargs = _round_trip((args, kwargs))
        _log("task", function=self._function.__name__, bundle=bundle, num_cpus=cpus,
             max_retries=self._options.get("max_retries"), args=[repr(a) for a in args])

        def call():
            try:
                return _round_trip(self._function(*args, **kwargs))
            except Exception as e:
                raise RayTaskError(f"{self._function.__name__} raised {e!r}") from e

        return ObjectRef(_pool.submit(call))


def remote(*args, **options):
    if len(args) == 1 and callable(args[0]) and not options:
        return RemoteFunction(args[0], {})
    return lambda function: RemoteFunction(function, options)


def wait(refs, *, num_returns=1, timeout=None, fetch_local=True):
    refs = list(refs)
    if num_returns > len(refs):
        raise ValueError("num_returns cannot be greater than the number of objects")
    futures = {ref._future: ref for ref in refs}
    pending = set(futures)
    done = set()
    while len(done) < num_returns:
        finished, pending = concurrent.futures.wait(
            pending, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED)
        if not finished:
            break
        done |= finished
    ready = [ref for ref in refs if ref._future in done][:num_returns]
    return ready, [ref for ref in refs if ref not in ready]


def get(ref, *, timeout=None):
    return ref._future.result(timeout)


def cancel(ref, *, force=False, recursive=True):
    # A thread cannot be interrupted as Ray interrupts a task; the recipe's test does not cancel.
    _log("cancel", force=force)
    ref._future.cancel()
