"""The ``plantops`` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

DESCRIPTION = """plantops: production planning and inventory for manufacturers.

Without DATABASE_URL / REDIS_URL, an embedded PostgreSQL and Redis are started under
./.plantops/ (PLANTOPS_DATA_DIR) and stopped again when the command ends."""


def _serve(args: argparse.Namespace, with_workers: bool) -> int:
    import uvicorn

    from core.bootstrap import bring_up
    from core.config import get_settings
    from core.daily_scan import DailyScheduler
    from core.jobs import setup_broker, start_worker

    services = bring_up(run_migrations=args.migrate)
    settings = get_settings()
    worker = start_worker(setup_broker(services.redis_url), settings.in_process_workers) if with_workers else None
    scheduler = DailyScheduler().start() if with_workers else None
    if getattr(args, "demo", False):
        from core.demo import ensure_demo_tenants

        print(f"\n  Log in at http://{settings.host}:{args.port}/login")
        for login in ensure_demo_tenants():
            print(f"  {login.tenant:<16} {'created' if login.created else 'ready  '}  "
                  f"email: {login.email}   password: {login.password}")
        print("", flush=True)
    processes = getattr(args, "processes", 1)
    try:
        if processes > 1:
            _serve_processes(services, processes, settings.host, args.port)
        else:
            from web.app import create_app

            uvicorn.run(create_app(), host=settings.host, port=args.port, log_level="info")
    finally:
        if scheduler is not None:
            scheduler.stop()
        if worker is not None:
            worker.stop()
        services.stop()
    return 0


def _serve_processes(services: Any, processes: int, host: str, port: int) -> None:
    """Serve from ``processes`` uvicorn worker processes, one Python (one GIL) each, so the
    app uses every core. Each attaches to the services this process started: their URLs
    go to the workers in the environment (see :func:`web.app.served_app`)."""
    import uvicorn

    os.environ.update(DATABASE_URL=services.owner_url, APP_DATABASE_URL=services.app_url,
                      REDIS_URL=services.redis_url)
    uvicorn.run("web.app:served_app", factory=True, workers=processes, host=host, port=port,
                log_level="info")


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web app (and run job workers in-process with --workers)."""
    return _serve(args, with_workers=args.workers)


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything for a first look: services, migrations, demo tenant, workers, server."""
    args.migrate, args.demo = True, True
    return _serve(args, with_workers=True)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run dramatiq workers until interrupted."""
    import threading

    from core.bootstrap import bring_up
    from core.daily_scan import DailyScheduler
    from core.jobs import setup_broker, start_worker

    services = bring_up(run_migrations=False)
    worker = start_worker(setup_broker(services.redis_url), args.threads)
    scheduler = DailyScheduler().start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"plantops worker: {args.threads} threads on {services.redis_url}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()
        worker.stop()
        services.stop()
    return 0


def cmd_daily_scan(args: argparse.Namespace) -> int:
    """Run the daily scan (expiry, reagent and stock alerts…) now, for every tenant whose
    enabled plugins take part, and print what each did."""
    import json
    from datetime import date

    from core.bootstrap import bring_up
    from core.daily_scan import scan_now, tenants_to_scan

    services = bring_up(run_migrations=False)
    day = date.fromisoformat(args.date) if args.date else date.today()
    try:
        for tenant_id in tenants_to_scan():
            print(tenant_id, json.dumps(scan_now(tenant_id, day)), flush=True)
    finally:
        services.stop()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Create the app role and upgrade the schema (as the owner)."""
    from core.config import get_settings
    from core.migrate import downgrade, migrate
    from core.runtime import ensure_services

    settings = get_settings()
    services = ensure_services(settings)
    try:
        if args.downgrade:
            downgrade(services.owner_url, settings, args.downgrade)
        else:
            migrate(services.owner_url, settings, args.revision)
        print("migrations applied", flush=True)
    finally:
        services.stop()
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan a bundle offline and print the plan as JSON."""
    from core.planning.cli import plan_command

    return plan_command(args.bundle, sys.stdout, sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plantops", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    port = int(os.environ.get("PLANTOPS_PORT", "8000"))
    serve = sub.add_parser("serve", help="serve the web app and API on PLANTOPS_PORT (8000)",
                           description=cmd_serve.__doc__)
    serve.add_argument("--port", type=int, default=port)
    serve.add_argument("--workers", action="store_true", help="also run job workers in-process")
    serve.add_argument("--processes", type=int, default=1, metavar="N",
                       help="web server processes (default 1; one per core uses them all)")
    serve.add_argument("--no-migrate", dest="migrate", action="store_false",
                       help="do not apply migrations at start")
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="run the dramatiq job workers (MRP runs, imports…)",
                            description=cmd_worker.__doc__)
    worker.add_argument("--threads", type=int, default=4)
    worker.set_defaults(func=cmd_worker)
    mig = sub.add_parser("migrate", help="apply database migrations as the owner role",
                         description=cmd_migrate.__doc__)
    mig.add_argument("--revision", default="head")
    mig.add_argument("--downgrade", metavar="REVISION", help="step back to REVISION instead")
    mig.set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="start everything with a demo tenant and print its login",
                          description=cmd_demo.__doc__)
    demo.add_argument("--port", type=int, default=port)
    demo.set_defaults(func=cmd_demo)
    billing = sub.add_parser("billing", help="Stripe billing tasks",
                             description="Stripe billing tasks (STRIPE_SECRET_KEY must be set).")
    billing_sub = billing.add_subparsers(dest="billing_command", required=True, metavar="TASK")
    sync = billing_sub.add_parser("sync", help="create or update the Stripe Products and Prices of the plans",
                                  description=cmd_billing_sync.__doc__)
    sync.set_defaults(func=cmd_billing_sync)
    scan = sub.add_parser("daily-scan", help="run the daily plugin scan now (workers also run it daily)",
                          description=cmd_daily_scan.__doc__)
    scan.add_argument("--date", help="the day to scan as YYYY-MM-DD (default: today)")
    scan.set_defaults(func=cmd_daily_scan)
    plan = sub.add_parser("plan", help="plan a JSON bundle offline (see shared/formats)",
                          description=cmd_plan.__doc__)
    plan.add_argument("bundle", help="path to BUNDLE.json, or - for standard input")
    plan.set_defaults(func=cmd_plan)
    return parser


def cmd_billing_sync(args: argparse.Namespace) -> int:
    """Create or update one Stripe Product and monthly per-plant Price per plan (idempotent)."""
    from core.billing.stripe_billing import configured, sync_catalog

    if not configured():
        print("STRIPE_SECRET_KEY is not set: nothing to sync", file=sys.stderr)
        return 2
    for price in sync_catalog():
        print(f"{price.plan:<11} product {price.product_id}  price {price.price_id}"
              f"{'  (new)' if price.created else ''}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args: Any = build_parser().parse_args(argv)
    if args.command != "plan":
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
