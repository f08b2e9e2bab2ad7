"""Why a notification was not delivered."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A delivery attempt failed for a reason that may pass (server down, 4xx); retry later."""

    def __init__(self, notification_id: int, reason: str) -> None:
        super().__init__(f"notification {notification_id} not delivered: {reason}")
        self.notification_id = notification_id
        self.reason = reason
