"""JSON shapes of cooperatives for the API (API.md): what is read and what is written.

Request schemas run the same checks as validation.py, so a bad RIB or phone is
a 422 naming the field before any service runs; the services check again, as
the HTML forms call them too. Response schemas are filled from plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from app.cooperatives.models import PROVINCES, CooperativeStatus, LegalForm, PayoutMethod
from app.cooperatives.validation import (
    COMMUNE_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    PHONE_TEXT_PATTERN,
    normalize_phone,
    validate_email_address,
    validate_ice,
    validate_onssa_number,
    validate_registration_number,
    validate_rib,
)
from app.core.ids import id_field
from app.core.names import no_bidi_controls


class StrictSchema(ma.Schema):
    """Unknown fields are an error (422), not silently dropped."""

    class Meta:
        unknown = ma.RAISE


def checked_by(check: Callable[[str], object]) -> Callable[[str], None]:
    """A marshmallow validator running a validation.py function."""

    def run(value: str) -> None:
        if value is None:
            return
        try:
            check(value)
        except ValueError as error:
            raise ma.ValidationError(str(error))

    return run


def _optional_rib(value: str) -> object:
    return validate_rib(value) if value.strip() else None


def _profile_fields(*, application: bool) -> dict[str, fields.Field]:
    """The fields of an application (required ones marked) or of an edit (all optional)."""

    def required(**kwargs) -> dict:
        return {"required": True, **kwargs} if application else kwargs

    def optional(default: object = None) -> dict:
        return {"load_default": default} if application else {}

    return {
        "name": fields.String(
            **required(validate=[validate.Length(min=2, max=NAME_MAX), no_bidi_controls])
        ),
        "legal_form": fields.String(
            **required(validate=validate.OneOf(tuple(form.value for form in LegalForm)))
        ),
        "registration_number": fields.String(
            **required(validate=checked_by(validate_registration_number)),
            metadata={"description": "ODCo / court registry number: 1-30 letters, digits, / -"},
        ),
        "ice": fields.String(
            allow_none=True,
            validate=checked_by(validate_ice),
            metadata={"description": "Identifiant Commun de l'Entreprise, 15 digits; optional"},
            **optional(),
        ),
        "province": fields.String(**required(validate=validate.OneOf(PROVINCES))),
        "commune": fields.String(**required(validate=validate.Length(min=1, max=COMMUNE_MAX))),
        "phone": fields.String(
            **required(validate=checked_by(normalize_phone)),
            metadata={
                "description": "+212 or 0, then 9 digits starting 5, 6 or 7",
                "pattern": PHONE_TEXT_PATTERN,
            },
        ),
        "email": fields.String(**required(validate=checked_by(validate_email_address))),
        "description": fields.String(validate=validate.Length(max=DESCRIPTION_MAX), **optional("")),
        "payout_method": fields.String(
            validate=validate.OneOf(tuple(method.value for method in PayoutMethod)),
            **optional(PayoutMethod.BANK_TRANSFER.value),
        ),
        "rib": fields.String(
            allow_none=True,
            validate=checked_by(_optional_rib),
            metadata={"description": "24 digits, check key verified; needed for bank_transfer"},
            **optional(),
        ),
        "onssa_number": fields.String(
            allow_none=True,
            validate=checked_by(validate_onssa_number),
            metadata={"description": "ONSSA sanitary authorization, for food; optional"},
            **optional(),
        ),
    }


CooperativeApplicationSchema = StrictSchema.from_dict(
    _profile_fields(application=True), name="CooperativeApplicationSchema"
)
CooperativeApplicationSchema.__doc__ = "An application: the cooperative starts pending."
CooperativeUpdateSchema = StrictSchema.from_dict(
    _profile_fields(application=False), name="CooperativeUpdateSchema"
)
CooperativeUpdateSchema.__doc__ = "Any fields of the application; payout ones by an owner."


class CooperativeListArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    province = fields.String(validate=validate.OneOf(PROVINCES))
    q = fields.String(validate=validate.Length(max=100))
    fair = id_field(metadata={"description": "fair id"})


class CooperativeStatusArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    status = fields.String(
        validate=validate.OneOf(tuple(status.value for status in CooperativeStatus))
    )


class StatusNoteSchema(StrictSchema):
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "why; required to suspend"},
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "description": "verify only: why verify with a checklist item missing (required "
            "then; kept in the audit log)"
        },
    )


#: Any character Python's ``str.strip()`` keeps: a note that is not only blanks.
_NOT_BLANK = (
    "[^\\t\\n\\v\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000]"
)


def _not_blank(text: str) -> None:
    if not text.strip():
        raise ma.ValidationError(_("Say why the cooperative is suspended."))


class SuspensionNoteSchema(StrictSchema):
    note = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=2000), _not_blank],
        metadata={
            "description": "why the cooperative is suspended (it is told)",
            "pattern": _NOT_BLANK,
        },
    )


class ProvinceSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "in the reader's language"})


class StandRefSchema(ma.Schema):
    fair_id = fields.Integer(required=True)
    code = fields.String(required=True)


class CooperativeSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    legal_form = fields.String(required=True)
    province = fields.String(required=True)
    commune = fields.String(required=True)
    verified = fields.Boolean(required=True)


class _PrivateFields(ma.Schema):
    """Seen only by the cooperative's members and by admins."""

    status = fields.String(metadata={"description": "members and admins only"})
    status_note = fields.String(allow_none=True)
    status_changed_at = fields.DateTime(allow_none=True)
    registration_number = fields.String()
    ice = fields.String(allow_none=True)
    phone = fields.String()
    email = fields.String()
    onssa_number = fields.String(allow_none=True)
    payout_method = fields.String()
    rib = fields.String(
        allow_none=True, metadata={"description": "owners and admins only, not staff members"}
    )
    created_at = fields.DateTime()


class CooperativeReviewSchema(_PrivateFields, CooperativeSummarySchema):
    """What an admin reviews in the verification queue."""

    description = fields.String()


class CooperativeSchema(_PrivateFields, CooperativeSummarySchema):
    """One cooperative; the private fields only for its members and admins."""

    description = fields.String(required=True)
    labels = fields.List(
        fields.String(), required=True, metadata={"description": "label kinds of its products"}
    )
    stand = fields.Nested(
        StandRefSchema, allow_none=True, required=True, metadata={"description": "at the open fair"}
    )
