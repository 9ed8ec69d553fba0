from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from balie.accounts.twofactor import current_code
from balie.ops import demo_data
from balie.ops.server import run_server


class Command(BaseCommand):
    help = "Set up demo municipalities on embedded SQLite and start Balie (reuses the data dir)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Only set up the data.")
        parser.add_argument(
            "--code", action="store_true",
            help="Print the demo authenticator's current code (demo secret key only) and stop.",
        )  # fmt: skip

    def handle(self, *args, host, port, no_serve, code=False, **options):
        console = Console()
        if code:
            if not settings.DEMO:
                raise CommandError("only the demo (its published secret key) has a demo code")
            console.print(current_code(demo_data.DEMO_TOTP_KEY))
            return
        call_command("migrate", interactive=False, verbosity=0)
        keys = demo_data.seed()
        base = f"http://{host}:{port}"
        console.print(f"[bold]Balie demo[/bold] — data in {settings.DATA_DIR}")
        console.print(f"  Resident chat (Utrecht):   {base}/c/utrecht/")
        console.print(f"  Resident chat (Groningen): {base}/c/groningen/")
        console.print(f"  Widget example:            {base}/c/utrecht/embed-example/")
        console.print(f"  Agent console:             {base}/console/")
        console.print(f"  API (OpenAPI):             {base}/api/v1/schema/")
        console.print(f"  Health:                    {base}/healthz")
        table = Table(title=f"Logins (password for all: {demo_data.DEMO_PASSWORD})")
        for column in ("organisation", "role", "username"):
            table.add_column(column)
        for row in demo_data.staff_logins():
            table.add_row(*row)
        console.print(table)
        if settings.DEMO and settings.TWO_FACTOR_ENFORCED:
            now = current_code(demo_data.DEMO_TOTP_KEY)
            console.print(
                "  Two-step login (administrator, records manager, auditor, Woo coordinator): "
                f"add key {demo_data.DEMO_TOTP_KEY_BASE32} to an authenticator app, or type "
                f"the code `balie demo --code` prints (now: {now})."
            )
        for slug, secret in keys.items():
            console.print(f"  API key {slug} (shown once): {secret}")
        if not keys:
            console.print(
                "  API keys were shown when the demo data was made; for a new one: "
                "balie apikey create --organisation utrecht --name demo "
                "--scope conversations:read --scope conversations:write"
            )
        if not no_serve:
            run_server(host=host, port=port)
