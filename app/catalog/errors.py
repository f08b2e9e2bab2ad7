"""Errors of the catalog's use cases, with the HTTP status a face answers with."""

from __future__ import annotations

from app.core.errors import Conflict, DomainError, ValidationFailed


class ProductImageTooLarge(DomainError):
    """The uploaded photo is over 5 MB."""

    code = "image_too_large"
    status = 413


class InvalidProductImage(ValidationFailed):
    """The upload is not a JPEG, PNG or WebP photo we can decode whole."""

    code = "invalid_image"


class CooperativeNotVerified(Conflict):
    """Only a verified cooperative may put a product on sale (status active)."""

    code = "cooperative_not_verified"


class OnssaAuthorisationMissing(ValidationFailed):
    """A verified cooperative puts food on sale with no ONSSA authorisation on file (law
    28-07: selling food needs the sanitary authorisation)."""

    code = "onssa_authorisation_missing"
