"""Who gives back what of a refund: pure arithmetic on centimes, no database, no Flask.

A paid part's money went to three places: the cooperative (its lines'
producer shares plus its whole shipping fee), the platform (fees) and the
solidarity fund. A refund funded by the cooperative takes back from each in
proportion to what it received, split with ``app.core.money.allocate``
(largest remainder, so the three shares add up to the refund exactly):

- Refunding ``q`` more units of a line takes the difference between the
  split of all units refunded so far and of those refunded before; the split
  of a line's first units is built unit by unit, each in proportion to what
  the line still holds. Refunding a line in any steps therefore ends exactly
  at the line's breakdown, centime for centime, with no negative share.
- Refunding an amount of a part splits it in proportion to what is still
  unrefunded of the part's breakdown (so an amount for the shipping fee is
  shared the same way as any other amount: the part is one pool).
- Whatever is taken never exceeds what a recipient still holds of the part:
  when a line's share would (after amount refunds emptied part of the pool),
  the refund is split in proportion to what remains instead. Refunding the
  whole part therefore reverses the part's breakdown exactly.

A goodwill refund funded by the platform comes out of its revenue alone and
leaves the cooperative's and the fund's shares untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.money import allocate


@dataclass(frozen=True)
class Split:
    """Centimes for the cooperative, the platform and the solidarity fund."""

    producer_cents: int = 0
    platform_cents: int = 0
    solidarity_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.producer_cents + self.platform_cents + self.solidarity_cents

    def as_weights(self) -> list[int]:
        return [self.producer_cents, self.platform_cents, self.solidarity_cents]

    def __add__(self, other: Split) -> Split:
        return Split(*(a + b for a, b in zip(self.as_weights(), other.as_weights(), strict=True)))

    def __sub__(self, other: Split) -> Split:
        return Split(*(a - b for a, b in zip(self.as_weights(), other.as_weights(), strict=True)))

    def fits_in(self, other: Split) -> bool:
        """Whether each share is at most ``other``'s."""
        return all(a <= b for a, b in zip(self.as_weights(), other.as_weights(), strict=True))


def proportional(amount_cents: int, weights: Split) -> Split:
    """``amount_cents`` split in proportion to ``weights`` (largest remainder); adds up exactly.

    Raises ``ValueError`` when ``weights`` are all zero or negative.
    """
    return Split(*allocate(amount_cents, weights.as_weights()))


def units_share(line: Split, unit_price_cents: int, refunded_before: int, refunding: int) -> Split:
    """The share of ``refunding`` more units of a line of breakdown ``line``.

    ``refunded_before`` units were refunded already. This is the split of the
    first ``refunded_before + refunding`` units less that of the first
    ``refunded_before`` (``first_units``), so successive refunds add up to the
    line's breakdown and none takes a negative share.
    """
    return first_units(line, unit_price_cents, refunded_before + refunding) - first_units(
        line, unit_price_cents, refunded_before
    )


def first_units(line: Split, unit_price_cents: int, units: int) -> Split:
    """The split of a line's first ``units`` units, built unit by unit: each unit is split in
    proportion to what the line still holds.

    Splitting ``unit_price * units`` in one go would not do: largest-remainder rounding
    is not monotone in the amount (one more unit can give a share one centime less), so
    a refund's share could come out at -1 centime. Unit by unit, every share is at least
    0 and at most what is left, and all the units together are ``line`` exactly.
    """
    taken = Split()
    if unit_price_cents == 0:
        return taken
    for _ in range(units):
        taken += proportional(unit_price_cents, line - taken)
    return taken


def cooperative_funded(amount_cents: int, remaining: Split, wanted: Split | None = None) -> Split:
    """The shares of a cooperative-funded refund of ``amount_cents`` from a part.

    ``remaining`` is what each recipient still holds of the part (its breakdown
    less earlier cooperative-funded refunds). ``wanted`` is the refunded lines'
    own share (``units_share``), used when it fits in ``remaining``; otherwise,
    and for refunds by amount, the amount is split in proportion to
    ``remaining``. Raises ``ValueError`` when ``amount_cents`` exceeds
    ``remaining.total_cents`` (the caller checks what was paid first).
    """
    if amount_cents > remaining.total_cents:
        raise ValueError("a refund cannot take back more than the part still holds")
    if wanted is not None and wanted.total_cents == amount_cents and wanted.fits_in(remaining):
        return wanted
    return proportional(amount_cents, remaining)


def platform_funded(amount_cents: int) -> Split:
    """A goodwill refund: all of it from the platform's revenue."""
    return Split(0, amount_cents, 0)
