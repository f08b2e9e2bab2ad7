"""Handlers, signals and watchers are registered by ``create_app``, never by an import.

A process that happens not to import a module must not lose what that module handles
(STYLE.md, habit 14): importing every module of the app registers nothing, and one
call of ``create_app`` registers everything, once, however many apps a process builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask_login import user_logged_in
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app
from app.cart.signals import merge_cart_at_login
from app.catalog import cache
from app.core import after_commit
from app.core.errors import IllegalTransition
from app.ledger import models as ledger
from app.payments import events

ROOT = Path(__file__).resolve().parents[2]

#: Imports every module of app/ (but not the factory's calls), then reports what is wired.
IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys

import app
from app.core.errors import _TRANSITION_WORDS

for info in pkgutil.walk_packages(app.__path__, "app."):
    importlib.import_module(info.name)

from flask_login import user_logged_in
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import after_commit
from app.ledger import models as ledger
from app.payments import events

print(json.dumps({
    "handlers": sorted(events.HANDLERS),
    "login_receivers": len(user_logged_in.receivers),
    "commit_watch": event.contains(Session, "after_transaction_end", after_commit._run_callbacks),
    "ledger_guard": event.contains(ledger.LedgerEntry, "before_update", ledger._refuse_update),
    "transition_words": sorted(_TRANSITION_WORDS),
    "workers": sorted(name for name in sys.modules if name.split(".")[0] == "workers"),
}))
"""


def _wired_receivers() -> int:
    return sum(
        1 for receiver in user_logged_in.receivers.values() if receiver() is merge_cart_at_login
    )


def test_importing_every_module_registers_no_handler_signal_or_watcher():
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert "transfer.created" not in found["handlers"]
    assert found["login_receivers"] == 0
    assert found["commit_watch"] is False
    assert found["ledger_guard"] is False
    assert found["transition_words"] == []
    assert found["workers"] == []  # the app never imports the workers, not even its factory


def test_create_app_wires_every_handler_signal_and_watcher(app):
    assert set(events.HANDLERS) == events.HANDLED_TYPES
    assert _wired_receivers() == 1
    assert event.contains(Session, "after_transaction_end", after_commit._run_callbacks)
    assert event.contains(Session, "after_commit", cache._bump_after_commit)
    assert event.contains(ledger.LedgerEntry, "before_delete", ledger._refuse_delete)
    assert "cannot go from" in IllegalTransition("payout batch", "open", "paid").message


def test_a_second_app_in_the_same_process_registers_nothing_twice(app, tmp_path):
    listeners_before = len(Session.dispatch.after_commit._clslevel[Session])

    create_app("testing", overrides={"MEDIA_ROOT": str(tmp_path / "media")})

    assert _wired_receivers() == 1
    assert len(Session.dispatch.after_commit._clslevel[Session]) == listeners_before
    assert events.HANDLERS["transfer.created"].__module__ == "app.payouts.transfers"


def test_a_callback_after_commit_is_refused_where_nobody_would_run_it(app):
    event.remove(Session, "after_transaction_end", after_commit._run_callbacks)
    try:
        with pytest.raises(RuntimeError, match="watch_commits"):
            after_commit.after_commit(Session(), lambda: None)
    finally:
        after_commit.watch_commits()
