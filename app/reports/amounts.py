"""The four figures every sales report adds up, in centimes, and the producers' share of them."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.money import BPS_WHOLE, round_half_up


@dataclass(frozen=True)
class Amounts:
    """What shoppers paid (``gross``) and where it went: producer + platform + solidarity.

    ``gross == producer + platform + solidarity``; centimes of MAD, negative for a refund.
    """

    gross_cents: int = 0
    producer_cents: int = 0
    platform_cents: int = 0
    solidarity_cents: int = 0

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.gross_cents + other.gross_cents,
            self.producer_cents + other.producer_cents,
            self.platform_cents + other.platform_cents,
            self.solidarity_cents + other.solidarity_cents,
        )

    def __neg__(self) -> Amounts:
        return Amounts(
            -self.gross_cents, -self.producer_cents, -self.platform_cents, -self.solidarity_cents
        )

    @property
    def fees_cents(self) -> int:
        return self.platform_cents + self.solidarity_cents

    @property
    def producer_share_bps(self) -> int | None:
        """The producers' share of the gross in basis points (half-up); None when gross <= 0."""
        return share_bps(self.producer_cents, self.gross_cents)


def share_bps(part_cents: int, whole_cents: int) -> int | None:
    """``part / whole`` in basis points, rounded half-up; None when ``whole`` is not positive."""
    if whole_cents <= 0:
        return None
    return round_half_up(part_cents * BPS_WHOLE, whole_cents)


def percent_text(bps: int | None) -> str:
    """Basis points as a percentage with one decimal, no sign: 9206 -> "92.1"; None -> ""."""
    if bps is None:
        return ""
    tenths = round_half_up(bps, 10)
    return f"{'-' if tenths < 0 else ''}{abs(tenths) // 10}.{abs(tenths) % 10}"
