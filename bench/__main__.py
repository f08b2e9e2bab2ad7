"""``python -m bench [catalog browse checkout payouts fees profile] [--quick]``: print ratios.

Every benchmark but ``fees`` wipes and fills the PostgreSQL database named by
BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/souk_bench,
created when missing); DATABASE_URL is never touched. ``--quick`` (or
BENCH_QUICK=1) shrinks sizes and run times for a smoke run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

from bench.common import database_url, quick, say, stopwatch, table

BENCHMARKS = ("fees", "catalog", "browse", "checkout", "payouts", "profile")
#: The catalog is measured again at this size (products) after the other benchmarks.
LARGE_CATALOG = 100_000
QUICK_LARGE_CATALOG = 12_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("benchmarks", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    options = parser.parse_args(argv)
    unknown = sorted(set(options.benchmarks) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; choose among {', '.join(BENCHMARKS)}")
    if options.quick:
        os.environ["BENCH_QUICK"] = "1"
    wanted = options.benchmarks or list(BENCHMARKS)
    url = database_url()
    say(machine_report(url if set(wanted) - {"fees"} else None))
    ratios: dict[str, dict[str, float]] = {}
    with stopwatch() as elapsed:
        if "fees" in wanted:
            from bench import fees

            ratios["fees"] = fees.run()
        if set(wanted) - {"fees"}:
            ratios.update(_database_benchmarks(wanted, url))
        say()
        say(summary(ratios))
        say(f"\nall benchmarks ran in {elapsed():.0f} s")
    return 0


def _database_benchmarks(wanted: list[str], url: str) -> dict[str, dict[str, float]]:
    import psycopg

    from bench import common, seed

    try:
        common.ensure_database(url)
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL does not answer at {url} ({error}).\nStart it (e.g. pg_ctlcluster"
            " 15 main start) or point BENCH_DATABASE_URL at a server where a database may be"
            " created and wiped."
        )
    broker = common.broker_url()
    say(
        f"tasks: sent to the broker at {broker} (not consumed)"
        if broker
        else "tasks: run eagerly inside each request (no broker answered)"
    )
    bench = common.Bench(common.make_app(url, broker), url, broker)
    common.reset_schema(bench.app)
    catalog_rows = seed.seed_catalog(bench.app)
    product_id = seed.showcase_product_id(bench.app)
    ratios: dict[str, dict[str, float]] = {}
    common.empty_broker(broker)
    try:
        if "catalog" in wanted:
            from bench import catalog

            ratios["catalog"] = catalog.run(
                bench, product_id, size=f" ({seed.PRODUCTS:,} products)"
            )
        if "browse" in wanted:
            from bench import browse

            ratios["browse"] = browse.run(bench, catalog_rows)
        if "checkout" in wanted:
            from bench import checkout

            ratios["checkout"] = checkout.run(bench, catalog_rows)
        if "payouts" in wanted:
            from bench import payouts

            ratios["payouts"] = payouts.run(bench, catalog_rows)
        if "profile" in wanted:
            from bench import profile

            elsewhere = {}
            if "payouts" in ratios:
                from bench import payouts

                run_ms = ratios["payouts"]["run_ms_at_largest_size"]
                elsewhere["run_payouts(now), largest ledger"] = (run_ms, payouts.one_run(bench))
            ratios["profile"] = profile.run(bench, catalog_rows, product_id, elsewhere)
        if "catalog" in wanted:
            from bench import catalog

            large = QUICK_LARGE_CATALOG if quick() else LARGE_CATALOG
            seed.grow_catalog(bench.app, catalog_rows, large)
            measured = catalog.run(
                bench, product_id, keys=catalog.GROWTH_KEYS, size=f" ({large:,} products)"
            )
            ratios["catalog_large"] = measured
            ratios["catalog_growth"] = catalog.print_growth(
                ratios["catalog"], measured, f"{seed.PRODUCTS:,} -> {large:,} products"
            )
    finally:
        common.empty_broker(broker)
    return ratios


def summary(ratios: dict[str, dict[str, float]]) -> str:
    rows = [
        (benchmark, name, f"{value:.3f}")
        for benchmark, values in ratios.items()
        for name, value in values.items()
    ]
    return table("Every ratio (and time in ms) of this run", ("benchmark", "figure", "value"), rows)


def machine_report(url: str | None) -> str:
    """The command's mode and the machine it ran on: cores, memory, CPU, PostgreSQL."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    lines = [
        f"souk-tadamon benchmarks ({'quick' if quick() else 'full'} mode)",
        f"cpu: {cpu}, {os.cpu_count()} cores; memory {memory}; load average"
        f" {' '.join(f'{value:.1f}' for value in os.getloadavg())}",
        f"python {platform.python_version()} ({sys.executable})",
    ]
    if url:
        lines.append(f"postgresql: {_postgres_version(url)} at {url}")
    return "\n".join(lines)


def _postgres_version(url: str) -> str:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # the report must not stop the run
        return f"unknown ({error.__class__.__name__})"


if __name__ == "__main__":
    sys.exit(main())
