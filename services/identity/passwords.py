"""Password hashing with argon2id (ID-3, S2).

Parameters: OWASP's Password Storage Cheat Sheet baseline for argon2id, m = 19 MiB, t = 2, p = 1,
rather than argon2-cffi's default (RFC 9106 "low memory": m = 64 MiB, t = 3, p = 4). On the
development machine (2 cores) the default costs ~220 ms per verification, so a 2-core identity
service logs in at most ~9 people a second and 20 concurrent logins would hold 1.3 GiB; the chosen
parameters cost ~23 ms and 19 MiB each while OWASP rates them equivalent in strength to its other
listed configurations. Parameters live here only: hashes made with older parameters are upgraded
at the next successful login (``needs_rehash``).

argon2 is C code that would block eventlet's hub (every worker of the service) for its whole
duration, so hashes run in eventlet's OS thread pool (argon2-cffi releases the GIL), at most one
per core at a time, which also bounds the memory they take.
"""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from eventlet import tpool
from eventlet.semaphore import Semaphore

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32,
                        salt_len=16)

_slots = Semaphore(max(1, os.cpu_count() or 1))
_dummy_hash: str | None = None


def _in_thread(fn, *args):
    with _slots:
        return tpool.execute(fn, *args)


def hash_password(password: str) -> str:
    return _in_thread(HASHER.hash, password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. An unknown user is checked against a dummy hash, so that
    the answer takes the same time as for a wrong password (ID-3)."""
    target = stored_hash or dummy_hash()
    try:
        matched = _in_thread(HASHER.verify, target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(matched) and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def dummy_hash() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _in_thread(HASHER.hash, os.urandom(16).hex())
    return _dummy_hash
