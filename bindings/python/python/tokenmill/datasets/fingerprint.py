"""Fingerprints of Python callables and arguments, for the map/filter cache (as HF's
``Hasher``): a function is hashed from its code object (bytecode, constants — nested code
recursively — names), defaults, closure cell contents and the globals it references (pickled, or
hashed recursively when they are functions). Something that cannot be hashed raises
``UnhashableError``; callers then warn once and use a random fingerprint (no cache reuse)."""

from __future__ import annotations

import functools
import hashlib
import pickle
import types
import uuid
import warnings


class UnhashableError(Exception):
    pass


_warned = False


def _feed(h, obj, seen: set, depth: int = 0) -> None:
    if depth > 50:
        raise UnhashableError("object graph too deep")
    if isinstance(obj, (str, bytes, int, float, bool, type(None), complex)):
        h.update(type(obj).__name__.encode())
        h.update(repr(obj).encode())
        return
    oid = id(obj)
    if oid in seen:
        h.update(b"<cycle>")
        return
    seen.add(oid)
    if isinstance(obj, types.CodeType):
        h.update(b"code")
        h.update(obj.co_code)
        h.update(repr(obj.co_names).encode())
        h.update(repr(obj.co_varnames).encode())
        h.update(repr((obj.co_argcount, obj.co_kwonlyargcount, obj.co_flags)).encode())
        for c in obj.co_consts:
            _feed(h, c, seen, depth + 1)
        return
    if isinstance(obj, types.ModuleType):
        h.update(b"module:" + obj.__name__.encode())
        return
    if isinstance(obj, functools.partial):
        h.update(b"partial")
        _feed(h, obj.func, seen, depth + 1)
        _feed(h, obj.args, seen, depth + 1)
        _feed(h, obj.keywords, seen, depth + 1)
        return
    if isinstance(obj, types.MethodType):
        h.update(b"method")
        _feed(h, obj.__func__, seen, depth + 1)
        _feed(h, obj.__self__, seen, depth + 1)
        return
    if isinstance(obj, types.FunctionType):
        h.update(b"function")
        code = obj.__code__
        _feed(h, code, seen, depth + 1)
        _feed(h, obj.__defaults__, seen, depth + 1)
        _feed(h, obj.__kwdefaults__, seen, depth + 1)
        if obj.__closure__:
            for name, cell in zip(code.co_freevars, obj.__closure__):
                try:
                    value = cell.cell_contents
                except ValueError:  # empty cell
                    h.update(b"<empty>")
                    continue
                _feed_ref(h, name, value, seen, depth)
        g = obj.__globals__
        for name in sorted(_global_names(code)):
            if name in g:
                _feed_ref(h, name, g[name], seen, depth)
        return
    if isinstance(obj, (types.BuiltinFunctionType, type)):
        h.update(f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}".encode())
        return
    if isinstance(obj, (list, tuple)):
        h.update(type(obj).__name__.encode() + str(len(obj)).encode())
        for x in obj:
            _feed(h, x, seen, depth + 1)
        return
    if isinstance(obj, (set, frozenset)):
        # in an order that does not depend on the process's string-hash seed
        h.update(type(obj).__name__.encode() + str(len(obj)).encode())
        for d in sorted(hash_objects(x) for x in obj):
            h.update(d.encode())
        return
    if isinstance(obj, dict):
        h.update(b"dict" + str(len(obj)).encode())
        for k, v in obj.items():
            _feed(h, k, seen, depth + 1)
            _feed(h, v, seen, depth + 1)
        return
    # tokenmill tokenizers: their identity is their configuration
    to_str = getattr(obj, "to_str", None)
    if type(obj).__module__.startswith("tokenmill") and callable(to_str):
        h.update(b"tokenizer")
        h.update(to_str().encode())
        return
    if type(obj).__module__.startswith("tokenmill") and hasattr(obj, "name") and hasattr(obj, "n_vocab"):
        h.update(f"encoding:{obj.name}:{obj.n_vocab}".encode())
        return
    # a callable object: its class's __call__ code and its pickled state
    call = getattr(type(obj), "__call__", None)
    if isinstance(call, types.FunctionType):
        _feed(h, call, seen, depth + 1)
    try:
        h.update(pickle.dumps(obj, protocol=4))
    except Exception as e:
        raise UnhashableError(f"cannot pickle {type(obj).__name__}: {e}") from e


def _feed_ref(h, name, value, seen, depth):
    """A global or closure variable the function reads, by name and value — mutable containers
    too, as HF does: a lookup table edited between two maps must not bring back the first map's
    cached result. (A counter the function itself mutates changes the fingerprint of the next call,
    so such a map is recomputed — the same trade HF makes.)"""
    h.update(b"ref:" + name.encode())
    _feed(h, value, seen, depth + 1)


def _global_names(code: types.CodeType) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def hash_objects(*objs) -> str:
    """A stable hex digest of `objs`; raises UnhashableError."""
    h = hashlib.sha256()
    for o in objs:
        _feed(h, o, set())
    return h.hexdigest()[:16]


def random_fingerprint() -> str:
    return uuid.uuid4().hex[:16]


def fingerprint_of(prev: str, op: str, *parts) -> str:
    """The fingerprint of ``op`` with ``parts`` applied to a dataset of fingerprint ``prev``; a
    random one (with one warning per process) when a part cannot be hashed."""
    global _warned
    try:
        return hash_objects(prev, op, *parts)
    except UnhashableError as e:
        if not _warned:
            _warned = True
            warnings.warn(
                f"{op}: the function or its arguments could not be hashed ({e}); a random fingerprint is "
                "used, so this result will not be reused from the cache. (This warning is shown once.)",
                UserWarning,
                stacklevel=3,
            )
        return random_fingerprint()


def table_fingerprint(table) -> str:
    """A content hash of a pyarrow Table (its schema and buffers)."""
    h = hashlib.sha256()
    h.update(str(table.schema).encode())
    h.update(str(table.num_rows).encode())
    for col in table.columns:
        for chunk in col.chunks:
            h.update(str((chunk.offset, len(chunk))).encode())
            for buf in chunk.buffers():
                if buf is not None:
                    h.update(memoryview(buf))
    return h.hexdigest()[:16]
