"""Flask extensions, created unbound and bound in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: Public catalog answers (app/catalog/cache.py): Redis when REDIS_URL is set, else per process.
cache = Cache()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
