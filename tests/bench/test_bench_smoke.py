"""The benchmarks run and print their ratios (quick mode; nothing here is timed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.factories import ProductFactory, ProductLabelFactory

from app.fees.services import install_default_rules
from bench import catalog, fees
from bench.common import alternate, percentile, table

ROOT = Path(__file__).resolve().parents[2]


def test_fee_benchmark_prints_the_quote_rate_as_a_ratio_to_the_bare_multiplication(capsys):
    ratios = fees.run(lines=2_000, rounds=1)

    printed = capsys.readouterr().out
    assert "fees.engine.quote (default rule)" in printed
    assert "rate vs baseline" in printed
    assert ratios["quote_vs_multiplication"] > 0
    assert ratios["apply_bps_vs_multiplication"] > 0


def test_bench_command_runs_the_fee_benchmark_in_quick_mode_and_sums_up_every_ratio():
    environment = {**os.environ, "BENCH_QUICK": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "fees"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "quick mode" in done.stdout
    assert "Every ratio (and time in ms) of this run" in done.stdout
    assert "quote_vs_multiplication" in done.stdout


def test_bench_command_refuses_an_unknown_benchmark():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "everything"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "unknown benchmarks ['everything']" in done.stderr


def test_query_count_measurement_prints_a_constant_count_per_catalog_page(app, client, capsys):
    install_default_rules()
    products = ProductFactory.create_batch(30, origin_province="azilal")
    ProductLabelFactory(product=products[0])

    rows = catalog.query_counts(app, client, products[0].id, deep_page=2)
    constant = catalog.print_query_counts(rows)

    printed = capsys.readouterr().out
    assert "SQL queries per request" in printed
    assert "queries constant across page size and depth: yes" in printed
    assert constant
    assert {status for _label, _url, _count, _cached, status in rows} == {200}
    assert all(count > 0 for _label, _url, count, _cached, _status in rows)


def test_percentile_takes_the_nearest_rank():
    values = [0.5, 0.1, 0.4, 0.2, 0.3]

    assert percentile(values, 50) == 0.3
    assert percentile(values, 95) == 0.5
    assert percentile([], 95) == 0.0


def test_alternate_rotates_which_path_goes_first_each_round():
    order = []
    runs = [(name, lambda name=name: order.append(name) or name) for name in "abc"]

    results = alternate(runs, 3)

    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert results == {"a": ["a"] * 3, "b": ["b"] * 3, "c": ["c"] * 3}


def test_table_lines_up_its_columns():
    printed = table("Title", ("path", "req/s"), [("/healthz", 1200), ("/products", 95)])

    assert printed.splitlines() == [
        "Title",
        "=====",
        "path       req/s",
        "---------  -----",
        "/healthz   1200 ",
        "/products  95   ",
    ]


def test_wrk_report_line_is_parsed_into_rates_and_latencies():
    from bench.wrk import _LINE

    found = _LINE.search(
        "Running 2s test\nBENCH requests=4700 duration_us=2000000 p50_us=1500 p95_us=4200"
        " non2xx=3 errors=1\n"
    )
    assert found is not None
    assert [int(value) for value in found.groups()] == [4700, 2000000, 1500, 4200, 3, 1]


def test_catalog_growth_compares_the_uncached_p50_of_list_and_search(capsys):
    small = {"p50_ms_api": 10.0, "p50_ms_search": 20.0}
    large = {"p50_ms_api": 12.0, "p50_ms_search": 40.0}

    growth = catalog.print_growth(small, large, "10 -> 100 products")

    assert growth == {"p50_growth_api": 1.2, "p50_growth_search": 2.0}
    printed = capsys.readouterr().out
    assert "met" in printed and "NOT MET" in printed
