"""Every Stripe event type we handle is dispatched in a process that only ran ``create_app()``.

Handlers used to register themselves when their module was imported: a ``transfer.*`` event
reaching a process that never imported ``app.payouts.transfers`` was stored as
"acknowledged" and, event ids being recorded once, never handled again. The app factory now
wires them; these tests run in a fresh interpreter so that no other test's imports help.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Every type the marketplace acts on, and what it answers for an object that is not ours.
HANDLED = {
    "payment_intent.succeeded": "unknown_intent",
    "payment_intent.payment_failed": "unknown_intent",
    "charge.refunded": "unknown_intent",
    "transfer.created": "unknown_transfer",
    "transfer.reversed": "unknown_transfer",
}

FRESH_PROCESS = """
import json, sys
from pathlib import Path

work = Path(sys.argv[1])
already_imported = "app.payouts.transfers" in sys.modules

from flask_migrate import upgrade

from app import create_app
from app.payments import events
from support.stripe_fake import TEST_WEBHOOK_SECRET, signed_webhook

app = create_app(
    "testing",
    overrides={
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'fresh.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "STRIPE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
    },
)
with app.app_context():
    upgrade()

objects = {
    "payment_intent": {"id": "pi_not_ours", "object": "payment_intent", "amount_received": 100},
    "charge": {"id": "ch_not_ours", "object": "charge", "payment_intent": "pi_not_ours"},
    "transfer": {
        "id": "tr_not_ours", "object": "transfer", "amount": 100,
        "amount_reversed": 100, "destination": "acct_1Elsewhere", "metadata": {},
    },
    "customer": {"id": "cus_1", "object": "customer"},
}
outcomes = {}
client = app.test_client()
for number, event_type in enumerate(json.loads(sys.argv[2])):
    event = {
        "id": f"evt_fresh_{number}",
        "object": "event",
        "type": event_type,
        "data": {"object": objects[event_type.split(".")[0]]},
    }
    body, headers = signed_webhook(event, TEST_WEBHOOK_SECRET)
    answer = client.post("/webhooks/stripe", data=body, headers=headers)
    outcomes[event_type] = [answer.status_code, (answer.get_json() or {}).get("outcome")]

print(json.dumps({
    "already_imported": already_imported,
    "handled_types": sorted(events.HANDLED_TYPES),
    "outcomes": outcomes,
}))
"""


def _run_fresh(tmp_path: Path, event_types: list[str]) -> dict:
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(tmp_path), json.dumps(event_types)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_every_handled_event_type_is_dispatched_in_a_process_that_only_created_the_app(
    tmp_path,
):
    found = _run_fresh(tmp_path, [*HANDLED, "customer.created"])

    assert found["already_imported"] is False
    assert set(HANDLED) == set(found["handled_types"])
    for event_type, outcome in HANDLED.items():
        assert found["outcomes"][event_type] == [200, outcome], event_type
    assert found["outcomes"]["customer.created"] == [200, "ignored"]
