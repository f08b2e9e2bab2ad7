"""What accounts tell other domains, as blinker signals the app factory connects.

Receivers run inside the use case's transaction and only flush: what they write
commits (or rolls back) with the event.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with ``user=`` once the reader of the account's e-mail address is proven
#: (``services.verify_email``), inside its transaction.
email_verified = _signals.signal("email-verified")

#: Sent with ``user=`` once the account's holder proved they read texts sent to
#: ``user.phone`` (``services.verify_phone``), inside its transaction.
phone_verified = _signals.signal("phone-verified")
