"""The labels a cooperative holds, gathered from its products: a pure rule for its page."""

from __future__ import annotations

from collections.abc import Iterable

from app.catalog.models import LabelKind, Product


def label_certificates(products: Iterable[Product]) -> list[tuple[str, list[str]]]:
    """``[(kind, [certificate numbers])]`` of the labels ``products`` carry, in the order of
    ``LabelKind``, each number once and sorted; a label without a number has an empty list."""
    return gathered_labels(
        (label.kind, label.certificate_number) for product in products for label in product.labels
    )


def gathered_labels(labels: Iterable[tuple[str, str | None]]) -> list[tuple[str, list[str]]]:
    """``label_certificates`` of ``(kind, certificate number)`` pairs read from the database."""
    found: dict[str, set[str]] = {}
    for kind, certificate_number in labels:
        numbers = found.setdefault(kind, set())
        if certificate_number:
            numbers.add(certificate_number)
    order = [kind.value for kind in LabelKind]
    return [
        (kind, sorted(found[kind]))
        for kind in sorted(found, key=lambda k: order.index(k) if k in order else len(order))
    ]
