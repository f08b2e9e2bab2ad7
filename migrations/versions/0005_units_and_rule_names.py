"""units from a fixed list with a quantity; fee rule names in each language

Products' free-text units ("jar 500 g", "bottle 75 cl", "piece") become a code of
``app.catalog.units.CODES`` and a quantity, worded in the reader's language; the old
``unit`` column keeps the language-neutral text ("500 g"). Order lines gain the same
code and quantity. Only columns are added: rebuilding ``products`` on SQLite would
cascade-delete its labels. Fee rules gain a
``translations`` column ({"ar": {"name": ...}, "fr": {...}}), filled for the rules
the platform ships (the default rule, associations, a fair's stand rule).

Revision ID: 0005
Revises: 0002 (re-chained after main gained 0002)
"""

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

# A copy of app.catalog.units.parse_unit as it stood: a migration never imports the app.
_CONTAINERS = r"(?:bag|bar|bottle|box|can|jar|pack|pot|tin|sachet)"
_PATTERN = re.compile(
    rf"^\s*(?:{_CONTAINERS}\s+)?(?:(?P<set>set)\s+of\s+(?P<set_qty>\d+)|"
    r"(?P<qty>\d+)?\s*(?P<code>g|kg|ml|cl|l|m2|m²|pieces?|sets?|nights?|persons?|people))\s*$",
    re.IGNORECASE,
)
_ALIASES = {
    "m²": "m2",
    "pieces": "piece",
    "sets": "set",
    "nights": "night",
    "persons": "person",
    "people": "person",
}


def _parse(text):
    match = _PATTERN.match(text or "")
    if match is None:
        return None
    if match.group("set"):
        return "set", int(match.group("set_qty"))
    code = match.group("code").lower()
    return _ALIASES.get(code, code), int(match.group("qty") or 1)


_RULE_NAMES = {
    "Fair-trade fee": {
        "fr": "Commission équitable",
        "ar": "عمولة التجارة المنصفة",
    },
    "Associations pay half": {
        "fr": "Les associations paient moitié",
        "ar": "الجمعيات تدفع النصف",
    },
}
_STAND = re.compile(r"^Exhibitors at (?P<fair>.+): no commission at the stand$")


def rule_translations(name):
    """The ar/fr names of a rule the platform ships, {} for an admin's own rule."""
    known = _RULE_NAMES.get(name)
    if known is not None:
        return {language: {"name": text} for language, text in known.items()}
    stand = _STAND.match(name or "")
    if stand is None:
        return {}
    fair = stand.group("fair")
    return {
        "fr": {"name": f"Exposants de {fair} : pas de commission au stand"[:120]},
        "ar": {"name": f"عارضو {fair}: بدون عمولة في الرواق"[:120]},
    }


def upgrade():
    connection = op.get_bind()

    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("unit_code", sa.String(length=12), nullable=True))
        batch.add_column(
            sa.Column("unit_quantity", sa.Integer(), nullable=False, server_default="1")
        )
    products = connection.execute(sa.text("SELECT id, unit FROM products")).all()
    for product_id, unit in products:
        code, quantity = _parse(unit) or ("piece", 1)
        connection.execute(
            sa.text(
                "UPDATE products SET unit_code = :code, unit_quantity = :quantity, "
                "unit = :text WHERE id = :id"
            ),
            {"code": code, "quantity": quantity, "text": f"{quantity} {code}", "id": product_id},
        )

    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("unit_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("unit_quantity", sa.Integer(), nullable=True))
    lines = connection.execute(sa.text("SELECT id, unit FROM order_lines")).all()
    for line_id, unit in lines:
        parsed = _parse(unit)
        if parsed is not None:
            connection.execute(
                sa.text(
                    "UPDATE order_lines SET unit_code = :code, unit_quantity = :quantity, "
                    "unit = :text WHERE id = :id"
                ),
                {"code": parsed[0], "quantity": parsed[1], "text": f"{parsed[1]} {parsed[0]}",
                 "id": line_id},
            )

    with op.batch_alter_table("fee_rules") as batch:
        batch.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )
    rules = connection.execute(sa.text("SELECT id, name FROM fee_rules")).all()
    for rule_id, name in rules:
        translations = rule_translations(name)
        if translations:
            connection.execute(
                sa.text("UPDATE fee_rules SET translations = :translations WHERE id = :id"),
                {"translations": json.dumps(translations, ensure_ascii=False), "id": rule_id},
            )


def downgrade():
    with op.batch_alter_table("fee_rules") as batch:
        batch.drop_column("translations")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("unit_quantity")
        batch.drop_column("unit_code")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("unit_quantity")
        batch.drop_column("unit_code")
