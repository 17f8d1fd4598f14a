"""Export the register as KIB B (CSV, XLSX) and import a KIB B file with a dry run first."""

from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from intranet.assets import assets_bp as bp
from intranet.assets import kib, services
from intranet.auth import permissions
from intranet.core.formatting import local_today
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError
from intranet.extensions import db

keeper = permissions.require(permissions.can_manage_assets)
MAX_UPLOAD = 20 * 1024 * 1024


def _export(kind: str) -> Response:
    from intranet.assets.views import _filters

    rows = kib.export_rows(services.register_select(_filters()))
    name = f"KIB-B-{local_today().isoformat()}"
    if kind == "xlsx":
        body = kib.to_xlsx(rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = kib.to_csv(rows)
        mimetype = "text/csv"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


@bp.route("/export.csv")
@keeper
def export_csv():
    return _export("csv")


@bp.route("/export.xlsx")
@keeper
def export_xlsx():
    return _export("xlsx")


@bp.route("/import", methods=["GET", "POST"])
@keeper
def import_kib():
    error = ""
    result = None
    token = request.form.get("token", "")
    name = request.form.get("name", "")
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("run"):
                token, content = kib.kept_upload(token)
                result = kib.plan(kib.read_table(token, content))
                added, changed = kib.run(
                    current_user, result, skip_bad=request.form.get("run") == "valid"
                )
                kib.drop_upload(token)
                flash(
                    _(
                        "Imported: %(added)d items added, %(changed)d changed.",
                        added=added,
                        changed=changed,
                    ),
                    "success",
                )
                return redirect_after_post(url_for("assets.index", sort="newest"))
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise ServiceError(_("Choose a CSV or XLSX file."), field="file")
            content = upload.stream.read(MAX_UPLOAD + 1)
            if len(content) > MAX_UPLOAD:
                raise ServiceError(_("The file is larger than 20 MB."), field="file")
            name = upload.filename
            table = kib.read_table(name, content)
            result = kib.plan(table)
            token = kib.keep_upload(name, content)
        except ServiceError as exc:
            db.session.rollback()
            error = exc.message
            status = 422
    return render(
        "assets/import.html",
        status=status,
        error=error,
        result=result,
        token=token,
        name=name,
        headers_list=kib.HEADERS,
    )
