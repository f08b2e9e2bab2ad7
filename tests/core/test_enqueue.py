"""``enqueue``: one way to hand work to a worker, run here when there is no broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.exceptions import NotRegistered
from kombu.exceptions import OperationalError
from support.factories import UserFactory

from app.core.tasks import enqueue
from app.extensions import db
from app.notifications import operations
from app.notifications.models import Notification, NotificationStatus

ROOT = Path(__file__).resolve().parents[2]

ONLY_THE_APP = """
import json, sys
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.core.tasks import enqueue

work = Path(sys.argv[1])
app = create_app("testing", overrides={
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'tasks.sqlite3'}",
    "MEDIA_ROOT": str(work / "media"),
})
before = sorted(name for name in sys.modules if name.split(".")[0] == "workers")
with app.app_context():
    upgrade()
    ran = enqueue("workers.tasks.payouts.recover_stuck_payouts_task")
print(json.dumps({"before": before, "ran": ran, "loaded": "workers.tasks.payouts" in sys.modules}))
"""


class UnreachableBroker:
    conf = SimpleNamespace(task_always_eager=False)

    def send_task(self, name: str, args: list, **options) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_without_a_broker_the_task_is_found_by_name_though_the_app_never_imported_it(tmp_path):
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", ONLY_THE_APP, str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found == {"before": [], "ran": True, "loaded": True}


def test_without_a_broker_the_task_runs_here_at_once(monkeypatch):
    monkeypatch.setattr(operations, "_dispatch", lambda app, notification_id: None)
    notification = operations.notify(
        "order_paid",
        user=UserFactory(),
        context={"order_number": "ST-7K3Q9X", "total_cents": 12050},
        dedupe_key="order_paid:enqueue",
    )
    db.session.commit()

    assert enqueue(operations.DELIVER_TASK, notification.id) is True

    assert db.session.get(Notification, notification.id).status == NotificationStatus.SENT


def test_a_task_name_nobody_defines_fails_loudly():
    with pytest.raises(NotRegistered):
        enqueue("workers.tasks.nowhere.nothing", 1)


def test_an_unreachable_broker_is_logged_and_answered_false(app, monkeypatch, caplog):
    monkeypatch.setitem(app.extensions, "celery", UnreachableBroker())

    assert enqueue(operations.DELIVER_TASK, 7) is False
    assert "broker unreachable" in caplog.text
