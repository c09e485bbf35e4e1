"""Password hashing at the cost the settings name: any argon2 hash verifies, none is weakened."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from nextcars_tui.config import PASSWORD_HASH_COSTS
from nextcars_tui.services.passwords import COST_PARAMETERS, PasswordHashing

LOW = PasswordHashing("low")
STANDARD = PasswordHashing("standard")


def test_every_cost_the_settings_accept_has_its_parameters():
    assert set(COST_PARAMETERS) == set(PASSWORD_HASH_COSTS)


def test_each_cost_makes_argon2id_hashes_with_its_parameters():
    defaults = PasswordHasher()
    assert LOW.hash("a-password").startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert STANDARD.hash("a-password").startswith(
        f"$argon2id$v=19$m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}$"
    )


@pytest.mark.parametrize("maker", [LOW, STANDARD], ids=["low-hash", "standard-hash"])
@pytest.mark.parametrize("checker", [LOW, STANDARD], ids=["low-desk", "standard-desk"])
def test_a_hash_verifies_whatever_cost_made_it(maker, checker):
    password_hash = maker.hash("the-right-one")
    assert checker.verify(password_hash, "the-right-one")
    assert not checker.verify(password_hash, "the-wrong-one")


def test_only_a_weaker_hash_needs_rehashing():
    low_hash, standard_hash = LOW.hash("pw-123456"), STANDARD.hash("pw-123456")
    assert STANDARD.needs_rehash(low_hash)
    assert not STANDARD.needs_rehash(standard_hash)
    assert not LOW.needs_rehash(low_hash)
    # A desk set to the low cost keeps a standard hash: it never weakens one.
    assert not LOW.needs_rehash(standard_hash)
    fewer_passes = PasswordHasher(time_cost=2).hash("pw-123456")
    less_memory = PasswordHasher(memory_cost=32768).hash("pw-123456")
    argon2i = PasswordHasher(time_cost=1, memory_cost=1024, type=Type.I).hash("pw-123456")
    assert STANDARD.needs_rehash(fewer_passes) and STANDARD.needs_rehash(less_memory)
    assert LOW.needs_rehash(argon2i)
    assert LOW.verify(argon2i, "pw-123456")


def test_something_that_is_not_an_argon2_hash_never_verifies():
    assert not LOW.verify("not-a-hash", "not-a-hash")
    assert not LOW.verify("", "")
    assert LOW.needs_rehash("not-a-hash")


def test_the_dummy_hash_is_made_once_at_the_desks_cost():
    desk_hashing = PasswordHashing("low")
    assert desk_hashing.dummy_hash is desk_hashing.dummy_hash
    assert desk_hashing.dummy_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert not desk_hashing.verify(desk_hashing.dummy_hash, "anything")
