"""Side effects wait for the real commit, not for the release of a savepoint inside it."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.core.after_commit import after_commit


def test_a_released_savepoint_does_not_run_the_callbacks_of_the_open_transaction() -> None:
    engine = create_engine("sqlite://")
    ran: list[str] = []
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("sent"))

        with session.begin_nested():
            session.execute(text("SELECT 1"))
        assert ran == []

        session.commit()
        assert ran == ["sent"]
    engine.dispose()
