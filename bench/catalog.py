"""Catalog benchmark: the product API and pages against a bare JSON endpoint, on one server.

gunicorn (2 sync workers) serves the seeded catalog (320 cooperatives, 10,000
products) from PostgreSQL. Every path is loaded in turn, round after round,
and each round's requests per second is divided by the bare endpoint's
(``/healthz``) of the same round; the medians are printed. Targets (issue 10):
the product API at least 25 % of the bare endpoint, the HTML list at least
15 %, deep pages (page 300) as fast as the first (here: at least 90 % of it),
and a number of SQL queries per page that does not grow with the page size or
depth, counted in-process with an SQLAlchemy event listener.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event

from bench.common import (
    Bench,
    alternate,
    median,
    quick,
    ratio_text,
    request,
    run_load,
    say,
    table,
    verdict,
)
from bench.wrk import ensure_wrk, wrk_load

#: Clients at once: two per gunicorn worker keeps both busy without a long queue.
CONCURRENCY = 4
DEEP_PAGE = 300
#: No new round starts after this long (at least two rounds run), so a slow machine finishes.
BUDGET_SECONDS = 120
#: Seconds of load per path and round (each path is run cached and uncached).
SECONDS_PER_PATH = 2.0
UNCACHED = {"CACHE_TYPE": "NullCache"}
#: "As fast as the first page": a deep page keeps at least this share of page 1's rate.
DEEP_PAGE_FLOOR = 0.90

API_FILTERS = "province=azilal&in_stock=true&sort=price_asc&per_page=24"
HTML_FILTERS = "province=azilal&in_stock=y&sort=price_asc&per_page=24"


@dataclass(frozen=True)
class Path:
    key: str
    label: str
    url: str
    #: Least share of the bare endpoint's requests/s, cached, when an issue sets one.
    floor: float | None = None
    #: The same computing every answer (cache off; issue 16).
    floor_uncached: float | None = None


SEARCH_QUERY = "miel+euphorbe"
SUGGEST_QUERY = "huile+ol"


def paths(product_id: int) -> list[Path]:
    """The paths compared, the bare endpoint first."""
    return [
        Path("bare", "GET /healthz (bare JSON)", "/healthz"),
        Path(
            "api",
            "GET /api/v1/products (24, filters)",
            f"/api/v1/products?{API_FILTERS}",
            0.25,
            0.25,
        ),
        Path("api_1", "GET /api/v1/products page 1", "/api/v1/products?sort=newest&page=1"),
        Path(
            "api_deep",
            f"GET /api/v1/products page {DEEP_PAGE}",
            f"/api/v1/products?sort=newest&page={DEEP_PAGE}",
        ),
        Path("api_product", "GET /api/v1/products/<id>", f"/api/v1/products/{product_id}"),
        Path(
            "search",
            "GET /api/v1/products?q= (two words)",
            f"/api/v1/products?q={SEARCH_QUERY}",
            None,
            0.20,
        ),
        Path(
            "suggest",
            "GET /api/v1/search/suggest?q=",
            f"/api/v1/search/suggest?q={SUGGEST_QUERY}",
            None,
            0.40,
        ),
        Path("product_page", "GET /products/<id> (HTML)", f"/products/{product_id}"),
        Path("html", "GET /products (HTML, filters)", f"/products?{HTML_FILTERS}", 0.15, 0.15),
        Path("html_search", "GET /products?q= (HTML, two words)", f"/products?q={SEARCH_QUERY}"),
        Path("html_1", "GET /products page 1 (HTML)", "/products?sort=newest&page=1"),
        Path(
            "html_deep",
            f"GET /products page {DEEP_PAGE} (HTML)",
            f"/products?sort=newest&page={DEEP_PAGE}",
        ),
    ]


#: The paths measured again on the large catalog: list and search p50 must grow <= 1.5x.
GROWTH_KEYS = ("bare", "api", "api_1", "search", "suggest", "html", "html_search")
GROWTH_CEILING = 1.5


def load(base: str, path: Path, seconds: float, use_wrk: bool):
    """One load run of ``path``: wrk when it is there, else the Python generator."""
    if use_wrk:
        return wrk_load(base, path.url, name=path.label, connections=CONCURRENCY, seconds=seconds)
    return run_load(
        base,
        path.url,
        name=path.label,
        concurrency=CONCURRENCY,
        max_requests=100_000,
        max_seconds=seconds,
    )


# SQL queries per page (in-process) -------------------------------------------------------


@contextmanager
def counting_queries(engine) -> Iterator[list[str]]:
    """Collect the SQL statements ``engine`` runs inside the block (savepoints left out)."""
    statements: list[str] = []

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)


def query_counts(
    app, client, product_id: int, deep_page: int = DEEP_PAGE
) -> list[tuple[str, str, int, int, int]]:
    """(label, url, SQL statements uncached, cached, status) for each catalog path.

    Uncached: the catalog cache is switched off and each path asked twice, the
    second counted (the first warms the per-process fee context). Cached: the
    cache is on and the path asked again once its answer is stored (0 when the
    app's cache keeps anything; the same as uncached under NullCache).
    ``client`` is a Flask test client.
    """
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    wanted = [
        ("API, 24 per page, filters", f"/api/v1/products?{API_FILTERS}"),
        ("API, 100 per page", "/api/v1/products?sort=newest&per_page=100"),
        ("API, page 1", "/api/v1/products?sort=newest&page=1"),
        (f"API, page {deep_page}", f"/api/v1/products?sort=newest&page={deep_page}"),
        ("API, one product", f"/api/v1/products/{product_id}"),
        ("HTML product page", f"/products/{product_id}"),
        ("HTML list, filters", f"/products?{HTML_FILTERS}"),
        ("HTML list, 100 per page", "/products?sort=newest&per_page=100"),
        ("HTML list, page 1", "/products?sort=newest&page=1"),
        (f"HTML list, page {deep_page}", f"/products?sort=newest&page={deep_page}"),
    ]
    seconds = app.config.get("CATALOG_CACHE_SECONDS", 0)
    rows = []
    for label, url in wanted:
        app.config["CATALOG_CACHE_SECONDS"] = 0
        try:
            client.get(url)
            with counting_queries(engine) as statements:
                status = client.get(url).status_code
        finally:
            app.config["CATALOG_CACHE_SECONDS"] = seconds
        client.get(url)
        with counting_queries(engine) as cached_statements:
            client.get(url)
        rows.append((label, url, len(statements), len(cached_statements), status))
    return rows


def print_query_counts(rows: Sequence[tuple[str, str, int, int, int]]) -> bool:
    """Print the table; return whether each face's uncached count stays the same across
    sizes and depths."""
    say(
        table(
            "SQL queries per request (in-process, Flask test client)",
            ("request", "status", "uncached", "cached"),
            [(label, status, count, cached) for label, _url, count, cached, status in rows],
        )
    )
    api = {
        count
        for label, _u, count, _c, _s in rows
        if label.startswith("API,") and "product" not in label and "filters" not in label
    }
    html = {
        count
        for label, _u, count, _c, _s in rows
        if label.startswith("HTML list") and "filters" not in label
    }
    constant = len(api) == 1 and len(html) == 1
    say(f"queries constant across page size and depth: {'yes' if constant else 'NO'}")
    return constant


# Load on gunicorn ----------------------------------------------------------------------


def run(
    bench: Bench, product_id: int, keys: tuple[str, ...] | None = None, size: str = ""
) -> dict[str, float]:
    """Measure every path (or those of ``keys``) under load, cached and uncached, print the
    tables; return the ratios, and the uncached p50 of each path (``p50_ms_<key>``)."""
    say()
    use_wrk = ensure_wrk()
    if keys is None:
        rows = query_counts(bench.app, bench.app.test_client(), product_id)
        constant = print_query_counts(rows)
        bad = [(label, status) for label, _url, _count, _cached, status in rows if status != 200]
        if bad:
            raise RuntimeError(f"catalog paths did not answer 200: {bad}")
    else:
        constant = None

    rounds, seconds = (2, 1.0) if quick() else (5, SECONDS_PER_PATH)
    compared = [path for path in paths(product_id) if keys is None or path.key in keys]
    say()
    say(
        f"load{size}: {'wrk' if use_wrk else 'Python threads'}, {CONCURRENCY} connections,"
        f" {rounds} rounds of {seconds:.1f} s per path and server (cached, then a second"
        " gunicorn with CACHE_TYPE=NullCache), paths rotated each round; ratios are medians"
        " of per-round ratios"
    )
    with bench.server() as cached, bench.server(UNCACHED) as uncached:
        runs = [(path.key, cached, path) for path in compared] + [
            (f"{path.key}_uncached", uncached, path) for path in compared if path.key != "bare"
        ]
        for _key, base, path in runs:
            status = request(base, "GET", path.url).status
            if status != 200:
                raise RuntimeError(f"{path.url} answered {status} under gunicorn, not 200")
        for _key, base, path in runs:  # warm every worker: imports, templates, the cache
            run_load(base, path.url, concurrency=CONCURRENCY, max_requests=12, max_seconds=3)
        results = alternate(
            [
                (key, lambda base=base, path=path: load(base, path, seconds, use_wrk))
                for key, base, path in runs
            ],
            rounds,
            budget_seconds=None if quick() else BUDGET_SECONDS,
        )
    return _report(compared, results, len(results["bare"]), constant, size)


def print_growth(small: dict[str, float], large: dict[str, float], sizes: str) -> dict[str, float]:
    """p50 on the large catalog over p50 on the small one, uncached, for list and search."""
    rows, ratios = [], {}
    for key in GROWTH_KEYS[1:]:
        if f"p50_ms_{key}" not in small or f"p50_ms_{key}" not in large:
            continue
        growth = large[f"p50_ms_{key}"] / small[f"p50_ms_{key}"]
        ratios[f"p50_growth_{key}"] = growth
        rows.append(
            (
                key,
                f"{small[f'p50_ms_{key}']:.1f}",
                f"{large[f'p50_ms_{key}']:.1f}",
                f"{growth:.2f}x",
                f"<= {GROWTH_CEILING}x",
                verdict(growth <= GROWTH_CEILING),
            )
        )
    say()
    say(
        table(
            f"p50 latency, computing every answer (uncached): {sizes}",
            ("path", "p50 ms small", "p50 ms large", "growth", "target", ""),
            rows,
        )
    )
    return ratios


def _report(
    compared: list[Path], results, rounds: int, constant: bool | None, size: str = ""
) -> dict[str, float]:
    bare = results["bare"]
    ratios: dict[str, float] = {}

    def measured(key: str) -> tuple[str, str, str, str]:
        runs = results[key]
        ratio = median([runs[i].per_second / bare[i].per_second for i in range(rounds)])
        ratios[key] = ratio
        return (
            f"{median([run.per_second for run in runs]):.0f}",
            f"{median([run.p50_ms for run in runs]):.1f}",
            f"{median([run.p95_ms for run in runs]):.1f}",
            ratio_text(ratio),
        )

    rows = []
    for path in compared:
        warm = measured(path.key)
        cold = ("", "", "", "") if path.key == "bare" else measured(f"{path.key}_uncached")
        if path.key != "bare":
            ratios[f"p50_ms_{path.key}"] = median(
                [run.p50_ms for run in results[f"{path.key}_uncached"]]
            )
        met = None if path.floor is None else ratios[path.key] >= path.floor
        met_uncached = (
            None
            if path.floor_uncached is None
            else ratios[f"{path.key}_uncached"] >= path.floor_uncached
        )
        failures = sum(
            run.failures
            for key in (path.key, f"{path.key}_uncached")
            for run in results.get(key, [])
        )
        rows.append(
            (
                path.label,
                *warm,
                *cold,
                "-" if path.floor is None else f">= {path.floor * 100:.0f} %",
                verdict(met),
                "-" if path.floor_uncached is None else f">= {path.floor_uncached * 100:.0f} %",
                verdict(met_uncached),
                failures,
            )
        )
    say(
        table(
            f"Catalog{size} under gunicorn (2 workers), PostgreSQL: ratio to the bare endpoint,"
            " cached and uncached",
            (
                "path",
                "req/s",
                "p50 ms",
                "p95 ms",
                "ratio",
                "uncached req/s",
                "p50 ms",
                "p95 ms",
                "ratio",
                "target (cached)",
                "",
                "target (uncached)",
                "",
                "non-2xx",
            ),
            rows,
        )
    )
    if constant is None:
        return ratios
    deep_rows = []
    for face, first, deep in (("API", "api_1", "api_deep"), ("HTML", "html_1", "html_deep")):
        for how, suffix in (("cached", ""), ("uncached", "_uncached")):
            # A round in which the first page got no answer at all (a stalled server) has no
            # ratio; it is left out rather than divided by.
            per_round = [
                results[deep + suffix][i].per_second / results[first + suffix][i].per_second
                for i in range(rounds)
                if results[first + suffix][i].per_second > 0
            ]
            ratio = median(per_round) if per_round else 0.0
            ratios[f"{deep}{suffix}_vs_first"] = ratio
            deep_rows.append(
                (
                    f"{face} ({how}): page {DEEP_PAGE} / page 1",
                    ratio_text(ratio),
                    f">= {DEEP_PAGE_FLOOR * 100:.0f} %",
                    verdict(ratio >= DEEP_PAGE_FLOOR),
                )
            )
    deep_rows.append(
        (
            "SQL queries per page constant (uncached)",
            "yes" if constant else "no",
            "yes",
            verdict(constant),
        )
    )
    say()
    say(table("Deep pages against the first page", ("compared", "ratio", "target", ""), deep_rows))
    return ratios
