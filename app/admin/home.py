"""The admin index: a link to each admin section that exists (see admin/home.html)."""

from __future__ import annotations

from flask import render_template

from app.admin import bp


@bp.route("/")
def home():
    return render_template("admin/home.html")
