"""The labels a cooperative holds, gathered from its products: a pure rule for its page."""

from __future__ import annotations

from collections.abc import Iterable

from app.catalog.models import LabelKind, Product


def label_certificates(products: Iterable[Product]) -> list[tuple[str, list[str]]]:
    """``[(kind, [certificate numbers])]`` of the labels ``products`` carry, in the order of
    ``LabelKind``, each number once and sorted; a label without a number has an empty list."""
    found: dict[str, set[str]] = {}
    for product in products:
        for label in product.labels:
            numbers = found.setdefault(label.kind, set())
            if label.certificate_number:
                numbers.add(label.certificate_number)
    order = [kind.value for kind in LabelKind]
    return [
        (kind, sorted(found[kind]))
        for kind in sorted(found, key=lambda k: order.index(k) if k in order else len(order))
    ]
