"""Password hashing at the cost the desk's settings name (`sign_in.password_hash_cost`)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import ARGON2_VERSION

# argon2id parameters per cost (config.PASSWORD_HASH_COSTS names them). "standard" is
# argon2-cffi's default (RFC 9106's low-memory profile: 3 passes over 64 MiB, 4 lanes); "low"
# (1 pass over 1 MiB) is for test suites and throw-away demos, where hundreds of hashes must
# take milliseconds, not minutes.
COST_PARAMETERS: dict[str, dict[str, Any]] = {
    "standard": {},
    "low": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}


class PasswordHashing:
    """argon2id at one cost. Any argon2 hash verifies whatever cost made it (a hash carries
    its parameters), and a weaker one is replaced on the next right password."""

    def __init__(self, cost: str) -> None:
        self._hasher = PasswordHasher(**COST_PARAMETERS[cost])

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether a hash is weaker than this cost makes (fewer passes, less memory, another
        argon2 variant): a stronger one is kept, so a desk set to "low" never weakens the
        hashes a standard desk made."""
        try:
            found = extract_parameters(password_hash)
        except InvalidHashError:
            return True
        wanted = self._hasher
        return (
            found.type is not Type.ID
            or found.version != ARGON2_VERSION
            or found.time_cost < wanted.time_cost
            or found.memory_cost < wanted.memory_cost
        )

    @cached_property
    def dummy_hash(self) -> str:
        """Verified against for unknown users, so they take as long as a wrong password."""
        return self._hasher.hash("not-a-real-password-for-timing-only")
