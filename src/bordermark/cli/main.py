"""Entry point of the ``bordermark`` command. Sub-command groups live beside this file, one per concept."""

from __future__ import annotations

import typer

from bordermark import __version__
from bordermark.cli import batch as batch_cli
from bordermark.cli import cases as cases_cli
from bordermark.cli import demo as demo_cli
from bordermark.cli import detect as detect_cli
from bordermark.cli import marks as marks_cli
from bordermark.cli import registry as registry_cli
from bordermark.cli import screen as screen_cli
from bordermark.cli import serve as serve_cli
from bordermark.cli import sim as sim_cli
from bordermark.cli import targeting as targeting_cli
from bordermark.cli.common import console, get_store

app = typer.Typer(
    help="Bordermark: stop counterfeit goods in cross-border e-commerce.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(registry_cli.app, name="registry")
app.add_typer(marks_cli.app, name="marks")
app.add_typer(marks_cli.watch_app, name="watch")
app.add_typer(marks_cli.provenance_app, name="provenance")
app.add_typer(screen_cli.app, name="screen")
app.command("serve")(serve_cli.serve)
app.add_typer(serve_cli.users_app, name="users")
app.command("demo")(demo_cli.demo)
app.command("sim")(sim_cli.sim)
app.command("detect")(detect_cli.detect)
app.add_typer(targeting_cli.app, name="targeting")
app.command("select")(targeting_cli.select_cmd)
app.add_typer(cases_cli.audit_app, name="audit")
app.add_typer(cases_cli.case_app, name="case")
app.add_typer(cases_cli.cases_app, name="cases")
app.add_typer(batch_cli.app, name="batch")


@app.command()
def version() -> None:
    """Print the installed version."""
    console.print(__version__)


@app.command()
def init() -> None:
    """Create or upgrade the store (BORDERMARK_DATABASE_URL, default a SQLite file in the data directory)."""
    store = get_store()
    console.print(f"store ready: {store.url}")


if __name__ == "__main__":
    app()
