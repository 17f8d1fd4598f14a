"""Command line: `flask --app intranet create-user …`, `seed-demo`, `backup`, `restore`."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from intranet.auth import services
from intranet.auth.models import ROLE_VALUES, Pillar
from intranet.core import meta
from intranet.core.db import write_transaction
from intranet.core.services import ServiceError
from intranet.extensions import db


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLE_VALUES), default="staff", show_default=True)
@click.option("--full-name", default=None, help="Defaults to the username.")
@click.option("--pillar", "pillar_code", default=None, help="Pillar code, e.g. TKSK.")
@click.option(
    "--password-env",
    default=None,
    metavar="VAR",
    help="Read the password from this environment variable instead of asking.",
)
def create_user_command(username, role, full_name, pillar_code, password_env):
    """Create a user account (e.g. the first admin)."""
    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"environment variable {password_env} is empty")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    pillar_id = None
    if pillar_code:
        pillar_id = db.session.scalar(select(Pillar.id).where(Pillar.code == pillar_code.upper()))
        if pillar_id is None:
            raise click.ClickException(f"no pillar with code {pillar_code}")
    with force_locale("en"):
        try:
            with write_transaction():
                user = services.create_user(
                    username=username,
                    full_name=full_name or username,
                    password=password,
                    role=role,
                    pillar_id=pillar_id,
                    actor=None,
                )
        except ServiceError as error:
            raise click.ClickException(f"{error.field or 'error'}: {error.message}") from error
    click.echo(f"Created {user.username} ({user.role}).")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even when demo mode is off.")
def seed_demo_command(force):
    """Seed the demo office into an empty database (only in demo mode)."""
    from intranet import demo

    if not (current_app.config["DEMO"] or force):
        click.echo("Demo mode is off (DEMO=0): no demo data.")
        return
    with force_locale("id"):
        if demo.database_is_empty():
            accounts = demo.seed_demo_office()
            click.echo("Demo office seeded.")
        elif meta.demo_data_present():
            accounts = demo.demo_accounts()
        else:
            click.echo("The database already has users: demo data not seeded.")
            return
        click.echo(f"Demo accounts (password {demo.DEMO_PASSWORD}):")
        for username, role in accounts:
            click.echo(f"  {username:<20} {role}")


def init_app(app) -> None:
    from intranet.ops import cli as ops_cli

    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    ops_cli.init_app(app)
