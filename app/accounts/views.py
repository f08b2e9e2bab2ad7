"""Account pages: register, log in, log out, forgotten and changed passwords, e-mail and
phone verification, the person's own settings and reading language."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from app.accounts import queries, services
from app.accounts.errors import InvalidLink
from app.accounts.forms import (
    AccountForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    PhoneCodeForm,
    PhoneForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.accounts.throttling import (
    count_failed_login,
    limit_failed_logins,
    limit_phone_codes,
    limit_registrations,
    limit_reset_requests,
    retry_after_seconds,
)
from app.core.errors import DomainError, NotFound
from app.core.language import current_language
from app.core.redirects import safe_next
from app.web.confirmation import confirmation_page, is_confirmed

bp = Blueprint("accounts", __name__)


def _home() -> str:
    return url_for("storefront.home") if "storefront.home" in current_app.view_functions else "/"


def verify_link(token: str) -> str:
    """The address of the page that verifies an e-mail with `token` (for the e-mail)."""
    return url_for("accounts.verify_email", token=token, _external=True)


def reset_link(token: str) -> str:
    """The address of the page that sets a new password with `token` (for the e-mail)."""
    return url_for("accounts.reset_password", token=token, _external=True)


def _apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a service's messages next to the fields they name, the rest above the form."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


@bp.route("/register", methods=["GET", "POST"])
@limit_registrations
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("accounts/register.html", form=form)
    if form.validate_on_submit():
        try:
            user = services.register(
                form.email.data,
                form.password.data,
                form.name.data,
                locale=current_language(),
                verify_link=verify_link,
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome to Souk Tadamon, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or _home())
    return render_template("accounts/register.html", form=form), 422


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_logins
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("accounts/login.html", form=form)
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data) or _home())
        count_failed_login()
        form.form_errors.append(_("Wrong email or password."))
    return render_template("accounts/login.html", form=form), 422


@bp.errorhandler(429)
def too_many_requests(error):
    """The page that was refused again, saying why and for how long; never a bare error page."""
    minutes = max(1, -(-retry_after_seconds() // 60))
    if request.endpoint == "accounts.register":
        form, template = RegisterForm(), "accounts/register.html"
        form.form_errors.append(
            _("Too many accounts were opened from this address. Try again later.")
        )
    elif request.endpoint == "accounts.phone":
        form, template = PhoneForm(), "accounts/phone.html"
        form.form_errors.append(
            _("Too many codes were asked for from this address. Try again later.")
        )
    elif request.endpoint == "accounts.forgot_password":
        form, template = ForgotPasswordForm(), "accounts/forgot_password.html"
        form.form_errors.append(
            _("Too many password reset requests from this address. Try again later.")
        )
    else:
        form, template = LoginForm(), "accounts/login.html"
        form.form_errors.append(
            ngettext(
                "Too many failed login attempts. Try again in %(num)d minute.",
                "Too many failed login attempts. Try again in %(num)d minutes.",
                minutes,
            )
        )
    return render_template(template, form=form), 429


@bp.post("/logout")
def logout():
    """Log out here and on every other device (sessions and remember-me cookies)."""
    if current_user.is_authenticated:
        services.log_out(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(_home())


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_reset_requests
def forgot_password():
    """Ask for a link that sets a new password; the answer never says whether the address
    has an account."""
    form = ForgotPasswordForm()
    if request.method == "GET":
        return render_template("accounts/forgot_password.html", form=form)
    if not form.validate_on_submit():
        return render_template("accounts/forgot_password.html", form=form), 422
    services.request_password_reset(form.email.data, link_for=reset_link)
    flash(
        _(
            "If an account uses this address, we have sent it a link to choose a new password."
            " The link works once, for one hour."
        ),
        "info",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with the e-mailed link; every session of the account ends."""
    form = ResetPasswordForm()
    if request.method == "GET":
        return render_template("accounts/reset_password.html", form=form, token=token)
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except InvalidLink as error:
            form.form_errors.append(error.message)
            return render_template("accounts/reset_password.html", form=form, token=token), 400
        except DomainError as error:
            _apply_errors(form, error)
        else:
            logout_user()
            flash(_("Your password is changed. Log in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, token=token), 422


@bp.route("/email/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm an address with the e-mailed link. The GET only shows a button: mail
    scanners that open links must not use them up."""
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("accounts/verify_email.html", form=form, token=token)
    if form.validate_on_submit():
        try:
            services.verify_email(token)
        except InvalidLink as error:
            form.form_errors.append(error.message)
            return render_template("accounts/verify_email.html", form=form, token=token), 400
        flash(_("Your email address is confirmed. Thank you."), "success")
        return redirect(url_for("accounts.account") if current_user.is_authenticated else _home())
    return render_template("accounts/verify_email.html", form=form, token=token), 400


@bp.post("/email/verify")
@login_required
def send_verification():
    """E-mail the logged-in person a new link that confirms their address."""
    form = ConfirmForm()
    if form.validate_on_submit():
        if services.send_verification(current_user._get_current_object(), link_for=verify_link):
            flash(_("We have sent you a link to confirm your email address."), "info")
        else:
            flash(_("Your email address is already confirmed."), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/account/phone", methods=["GET", "POST"])
@login_required
@limit_phone_codes
def phone():
    """Verify my phone, first step: the number (the account's, or a new one) gets a code by
    SMS. The account's phone changes only once the code is typed."""
    form = PhoneForm()
    if request.method == "GET":
        form.phone.data = current_user.phone or ""
        return render_template("accounts/phone.html", form=form)
    if form.validate_on_submit():
        try:
            phone_number = services.send_phone_code(
                current_user._get_current_object(), form.phone.data
            )
        except DomainError as error:
            _apply_errors(form, error)
            return render_template("accounts/phone.html", form=form), error.status
        flash(
            _(
                "We have sent a code by SMS to %(phone)s. It works for 10 minutes.",
                phone=phone_number,
            ),
            "info",
        )
        return redirect(url_for("accounts.phone_code"))
    return render_template("accounts/phone.html", form=form), 422


@bp.route("/account/phone/code", methods=["GET", "POST"])
@login_required
def phone_code():
    """Verify my phone, second step: type the code received; guest orders placed with that
    phone then join the account."""
    form = PhoneCodeForm()
    if request.method == "GET":
        if queries.pending_phone_code(current_user.id) is None:
            return redirect(url_for("accounts.phone"))
        return _render_phone_code(form)
    if form.validate_on_submit():
        try:
            services.verify_phone(current_user._get_current_object(), form.code.data)
        except DomainError as error:
            _apply_errors(form, error)
            return _render_phone_code(form), error.status
        flash(_("Your phone number is confirmed. Thank you."), "success")
        return redirect(url_for("accounts.account"))
    return _render_phone_code(form), 422


def _render_phone_code(form: PhoneCodeForm):
    return render_template(
        "accounts/phone_code.html", form=form, sent=queries.pending_phone_code(current_user.id)
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; every other session, remember-me cookie and API token ends."""
    form = ChangePasswordForm()
    if request.method == "GET":
        return render_template("accounts/change_password.html", form=form)
    if form.validate_on_submit():
        try:
            user = services.change_password(
                current_user._get_current_object(), form.current_password.data, form.password.data
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            # This browser stays logged in, with a cookie of the new generation.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(user, remember=remembered in request.cookies)
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form), 422


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
        return _render_account(form)
    if form.validate_on_submit():
        try:
            user = services.update_profile(
                current_user._get_current_object(),
                name=form.name.data,
                locale=form.locale.data or None,
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            # The language chosen on the switcher would otherwise hide the new preference.
            if user.locale:
                session["lang"] = user.locale
            else:
                session.pop("lang", None)
            flash(_("Your account is saved."), "success")
            return redirect(url_for("accounts.account"))
    return _render_account(form), 422


def _render_account(form: AccountForm):
    return render_template(
        "accounts/account.html",
        form=form,
        confirm_form=ConfirmForm(),
        saved_addresses=queries.saved_addresses(current_user.id),
    )


@bp.post("/account/addresses/<id:address_id>/delete")
@login_required
def forget_address(address_id: int):
    """Delete a saved delivery address (it is no longer offered at checkout)."""
    if ConfirmForm().validate():
        if not is_confirmed():
            saved = next(
                (a for a in queries.saved_addresses(current_user.id) if a.id == address_id), None
            )
            if saved is None:
                raise NotFound(_("No such saved address."))
            return confirmation_page(
                title=_("Delete this address?"),
                consequence=_("It is no longer offered at checkout."),
                details=[f"{saved.name} — {saved.line1}, {saved.city}"],
                button=_("Yes, delete"),
                back_url=url_for("accounts.account"),
            )
        services.forget_address(current_user._get_current_object(), address_id)
        flash(_("The address is deleted."), "success")
    return redirect(url_for("accounts.account"))


@bp.get("/lang/<code>")
def switch_language(code: str):
    """The reader's choice for this session only: a link (a GET) changes nothing stored,
    or any other site could rewrite an account's language with an image tag."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or "/")


@bp.post("/lang")
def save_language():
    """The switcher's form (``code``, ``next``, CSRF token checked by CSRFProtect): the
    reader's choice for this session and, when signed in, for the account, which the
    e-mails and messages the workers send later follow too. 422 for an unknown code."""
    code = request.form.get("code", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(422)
    session["lang"] = code
    if current_user.is_authenticated and current_user.locale != code:
        services.set_locale(current_user, code)
    return redirect(safe_next(request.form.get("next")) or "/")
