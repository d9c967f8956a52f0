"""Customers and their phone numbers: each client's pool, computed rather than stored.

Both the inbound days (in their workers: which customer a caller is) and the CRM rows use it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerPool:
    """One client's customers and their phone numbers, computed, not stored: customer i's number is
    an affine permutation of i within the client's own number range, so a pool of millions costs
    nothing to hold or to send to a worker, and a number maps back to exactly one customer."""

    client: str
    prefix: str
    low: int  # the range of numbers after the prefix: [low, low + span)
    span: int
    size: int
    multiplier: int  # coprime to span
    offset: int
    inverse: int  # of the multiplier, modulo span

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> str:
        return f"{self.prefix}{self.low + (self.multiplier * index + self.offset) % self.span}"

    def customer_of(self, number: str) -> tuple[str, str] | None:
        """(client, customer id) of a number, or None when it is not one of this pool's."""
        rest = number[len(self.prefix) :]
        if not number.startswith(self.prefix) or not rest.isdigit() or rest.startswith("0"):
            return None
        value = int(rest) - self.low
        if not 0 <= value < self.span:
            return None
        index = (value - self.offset) * self.inverse % self.span
        return (self.client, f"{self.client[:2].upper()}{index:07d}") if index < self.size else None

    def owner(self, number: str) -> tuple[str, str]:
        """(client, customer id) of one of this pool's own numbers."""
        found = self.customer_of(number)
        if found is None:
            raise ValueError(f"{number} is not a {self.client} customer's number")
        return found


Pools = dict[str, CustomerPool]

# (client, prefix, first number after the prefix, how many numbers): disjoint ranges, so that a
# number belongs to one client only.
NUMBER_RANGES = (
    ("acme", "0", 100_000_000, 700_000_000),
    ("globex", "1212", 1_000_000, 9_000_000),
    ("default", "0", 800_000_000, 200_000_000),
)


def customer_pools(seed: int, n_agents: int) -> Pools:
    """Each client's customers (index = customer number)."""
    rng = random.Random(seed + 99)
    size = max(2000, n_agents * 1200)  # about one contact per customer a month, as in a real base
    pools: Pools = {}
    for client, prefix, low, span in NUMBER_RANGES:
        multiplier = rng.randrange(span // 3, span)
        while math.gcd(multiplier, span) != 1:
            multiplier += 1
        offset = rng.randrange(span)
        inverse = pow(multiplier, -1, span)
        pools[client] = CustomerPool(client, prefix, low, span, min(size, span), multiplier, offset, inverse)
    return pools


def customer_of(pools: Pools, number: str) -> tuple[str, str] | None:
    """(client, customer id) of a phone number, or None for a number no client's customer has."""
    for pool in pools.values():
        found = pool.customer_of(number)
        if found is not None:
            return found
    return None
