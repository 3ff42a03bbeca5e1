"""The command line: thin commands over the library (docs/architecture.md).

    claimkit attributions PATH...   one JSON line per article on stdout
    claimkit extract PATH... --store S   extract claims into a store (resumable)
                                    [--engine dask [--scheduler ADDRESS]]
    claimkit export --store S --csv F   export claims and reviews (CSV, Parquet, ClaimReview)
    claimkit charts --store S --out DIR   the chart set as PNG / SVG / HTML / PDF files
    claimkit report --store S --html F   one self-contained HTML report
    claimkit review --store S [FILTERS] --set-status X   change every matching claim at once
    claimkit evaluate GOLD_DIR      score extraction against brat gold
    claimkit evaluate-checkworthiness FILE.jsonl   ROC-AUC, AP, P/R/F1 of check-worthiness
    claimkit demo                   the whole flow on the bundled sample data

stdout carries results only. Problems (``error: PATH: reason`` / ``warning: PATH: reason``), the
end-of-batch summary and the progress bar go to stderr, so ``claimkit attributions … > out.jsonl``
keeps a clean file.

Exit codes: 0 all good (warnings allowed); 1 some input failed, the rest was still processed;
2 usage error (bad arguments, unknown spaCy model, missing folder, a bad claimkit.toml); 3 internal error, i.e. a bug
(``CLAIMKIT_DEBUG=1`` prints its traceback); 130 interrupted (Ctrl-C); 141 stdout was closed
early (``| head``), as for a Unix tool stopped by SIGPIPE.

Settings come from ``claimkit.toml`` (claimkit/config.py): ``[store] url`` stands in for a missing
``--store``, ``[review] reviewer`` for ``--reviewer``, ``[publisher]`` for ``--publisher-name`` /
``--publisher-url``. Options always win.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claimkit import __version__
from claimkit.model import Article, BatchSummary, Claim, Extraction, InputProblem
from claimkit.nlp import ModelNotFound

if TYPE_CHECKING:
    from tqdm import tqdm

    from claimkit.demo import DemoRun

EXIT_OK = 0
EXIT_FAILED = 1  # some input could not be read or extracted
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_STDOUT_CLOSED = 141  # 128 + SIGPIPE

# The keys of one claim in `claimkit attributions` output, in this order (docs/architecture.md §3).
CLAIM_KEYS = ("claim_id", "kind", "content", "source", "cue", "text", "speaker",
              "speaker_canonical", "speaker_type", "cue_lemma", "cue_class", "parent_id",
              "hedges", "checkworthiness", "rule")

# Formats whose files hold exactly one article, so a list of them gives the progress bar a total.
_ONE_ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
_CORPUS_ROW = re.compile(r"#(?:row|line)=\d+$")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class UsageError(Exception):
    """A mistake in how claimkit was called; the message is shown as is, exit code 2."""


class CommandFailed(Exception):
    """The command could not do its job (e.g. no such store); the message is shown as is,
    exit code 1."""


class _StdoutClosed(Exception):
    """Whoever read stdout has gone away (``claimkit … | head``)."""


# ---------------------------------------------------------------------------------------------
# Entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    try:
        args = build_parser().parse_args(argv)  # exits 2 itself on a usage error
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return run_command(args.run, args)


def run_command(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command and turn every way it can end into an exit code and at most one line.

    A user's mistake never shows a traceback (docs/architecture.md §6); a bug shows one only when
    ``CLAIMKIT_DEBUG=1``.
    """
    try:
        return command(args)
    except (_StdoutClosed, BrokenPipeError):
        # BrokenPipeError without _StdoutClosed: a library function's own print() (evaluate).
        _silence_stdout()
        return EXIT_STDOUT_CLOSED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (UsageError, ModelNotFound) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except CommandFailed as exc:
        _error(str(exc))
        return EXIT_FAILED
    except Exception as exc:  # a bug: say so in one line, and how to see more
        if os.environ.get("CLAIMKIT_DEBUG") == "1":
            traceback.print_exc()
            _error(f"internal error: {_describe(exc)}")
        else:
            _error(f"internal error: {_describe(exc)} (run with CLAIMKIT_DEBUG=1 for details)")
        return EXIT_INTERNAL


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    options = common.add_argument_group("common options")
    options.add_argument("--model", metavar="NAME",
                         help="spaCy pipeline to parse with (default: $CLAIMKIT_MODEL, "
                              "else en_core_web_sm)")
    options.add_argument("--jobs", metavar="N", type=_jobs, default=1,
                         help="worker processes for parsing (default: 1; 0: one per core)")
    options.add_argument("--no-progress", action="store_true",
                         help="never show a progress bar (by default it shows only when "
                              "stderr is a terminal)")

    parser = argparse.ArgumentParser(
        prog="claimkit",
        description="Who claimed what in the news: extract claims and their attributions.",
        epilog="Exit codes: 0 ok, 1 some input failed, 2 usage error, 3 internal error, "
               "130 interrupted. Run 'claimkit COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"claimkit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command",
                                     required=True)

    p = commands.add_parser(
        "attributions", parents=[common],
        help="one JSON line per article: its claims and attributions",
        description="Read articles (.txt, .html, .csv, .jsonl files or folders of them) and "
                    "print one JSON line per article: path, article_id and its claims, with "
                    "character offsets into the article text. Bad files are reported on "
                    "stderr and skipped.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="an article file, corpus or folder")
    p.set_defaults(run=cmd_attributions)

    p = commands.add_parser(
        "extract", parents=[common],
        help="extract claims into a store (SQLite file or PostgreSQL URL); resumable",
        description="Read articles, extract their claims and store them, one transaction per "
                    "article. Articles already stored by this extractor version are skipped, "
                    "so a stopped run picks up where it left off. Re-extraction by a newer "
                    "extractor keeps every review: claims it no longer finds are kept and "
                    "flagged, never deleted.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="an article file, corpus or folder")
    p.add_argument("--store", metavar="FILE_OR_URL",
                   help="SQLite file (created if missing) or postgresql://user@host/db "
                        "(default: [store] url in claimkit.toml)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: --jobs processes on this machine (default); dask: a Dask "
                        "cluster, one started here with a worker per core unless --scheduler")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(with --engine dask)")
    p.add_argument("--no-cluster", action="store_true",
                   help="do not put the new claims into clusters of claims that state the "
                        "same thing (clustering embeds them: tens of claims a second)")
    p.set_defaults(run=cmd_extract)

    p = commands.add_parser(
        "export",
        help="export claims with their reviews: CSV, Parquet, ClaimReview JSON-LD",
        description="Write the store's claims, one row per claim with its article and review, "
                    "as CSV (spreadsheet-safe), Parquet, and/or schema.org ClaimReview JSON-LD "
                    "for the published checks. Give at least one output.")
    p.add_argument("--store", metavar="FILE_OR_URL", help=_STORE_HELP)
    p.add_argument("--csv", metavar="FILE", help="write CSV here")
    p.add_argument("--parquet", metavar="FILE", help="write Parquet here")
    p.add_argument("--claimreview", metavar="FILE",
                   help="write ClaimReview JSON-LD here: the published checks (the workflow's "
                        "published statuses), with --all-verdicts every claim with a verdict")
    p.add_argument("--all-verdicts", action="store_true",
                   help="ClaimReview: every claim with a verdict, published or not (checks "
                        "never published carry no datePublished)")
    p.add_argument("--publisher-name", metavar="NAME", help="fact-checker's name (ClaimReview)")
    p.add_argument("--publisher-url", metavar="URL", help="fact-checker's site (ClaimReview)")
    p.add_argument("--review-url", metavar="TEMPLATE",
                   help="each review's URL, with {claim_id} filled in (ClaimReview; default: "
                        "the publisher URL with #claim-ID)")
    p.add_argument("--config", metavar="FILE",
                   help="TOML or JSON file with a [publisher] table: name, url, review_url")
    p.add_argument("--include-rejected", action="store_true",
                   help="keep the claims a reviewer marked 'not a claim' (left out by "
                        "default), marked in the not_a_claim column of CSV and Parquet; "
                        "ClaimReview never includes them")
    for name, what in (("status", "workflow status"), ("verdict", "verdict"),
                       ("outlet", "outlet"), ("tag", "tag")):
        p.add_argument(f"--{name}", action="append", metavar=name.upper(),
                       help=f"only claims with this {what} (repeat for any of several)")
    p.set_defaults(run=cmd_export)

    p = commands.add_parser(
        "charts",
        help="write the chart set (status, verdicts, speakers, sourcing, …) as image files",
        description="Draw every chart of claimkit.charts.CHART_SET from the store and write "
                    "each as DIR/NAME.FORMAT: PNG, SVG, PDF, or HTML (self-contained and "
                    "interactive, works offline). No browser needed.")
    p.add_argument("--store", metavar="FILE_OR_URL", help=_STORE_HELP)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (made if missing)")
    p.add_argument("--format", default="png", metavar="FORMAT",
                   help="png (default), svg, html or pdf")
    p.add_argument("--include-rejected", action="store_true",
                   help="keep the claims a reviewer marked 'not a claim' (left out by "
                        "default)")
    p.set_defaults(run=cmd_charts)

    p = commands.add_parser(
        "report",
        help="write one self-contained HTML report: counts, charts, claims with their reviews",
        description="Write an HTML file with headline counts, the chart set and a table of "
                    "claims with status, verdict, note and evidence links. The file loads "
                    "nothing from the network and runs no script.")
    p.add_argument("--store", metavar="FILE_OR_URL", help=_STORE_HELP)
    p.add_argument("--html", required=True, metavar="FILE", help="write the report here")
    p.add_argument("--title", default="Claims report", help="the report's title")
    p.add_argument("--max-rows", type=_rows, default=500, metavar="N",
                   help="claims listed in the table (default 500; reviewed ones first)")
    p.add_argument("--include-rejected", action="store_true",
                   help="keep the claims a reviewer marked 'not a claim' (left out by "
                        "default); the table marks them")
    p.set_defaults(run=cmd_report)

    p = commands.add_parser(
        "review",
        help="change every claim that matches a filter at once (status, verdict, tag, assignee)",
        description="Select claims with the filters (all must hold; a repeated option matches "
                    "any of its values) and apply one change to all of them in one "
                    "transaction. Every changed claim gets a history event, recorded as made "
                    "by --reviewer (default: [review] reviewer in claimkit.toml). Prints how "
                    "many claims matched and changed; --dry-run changes nothing.")
    p.add_argument("--store", metavar="FILE_OR_URL", help=_STORE_HELP)
    filters = p.add_argument_group("filters")
    for name, what in (("status", "workflow status"), ("verdict", "verdict"), ("tag", "tag"),
                       ("outlet", "outlet"), ("kind", "kind (direct, mixed, indirect, "
                                                        "assertion)"),
                       ("assignee", "assignee ('' for claims nobody has)")):
        filters.add_argument(f"--{name}", action="append", metavar=name.upper(),
                             help=f"only claims with this {what} (repeat for any of several)")
    filters.add_argument("--speaker", metavar="TEXT",
                         help="only claims whose speaker contains TEXT (any case)")
    filters.add_argument("--search", metavar="TEXT",
                         help="only claims whose text contains TEXT (any case)")
    action = p.add_argument_group("the change (exactly one)").add_mutually_exclusive_group(
        required=True)
    action.add_argument("--set-status", metavar="STATUS", help="set this workflow status")
    action.add_argument("--set-verdict", metavar="VERDICT",
                        help="set this verdict ('' clears it)")
    action.add_argument("--add-tag", metavar="TAG", help="add this tag")
    action.add_argument("--assign", metavar="NAME",
                        help="put the claims in NAME's queue ('' takes them out of any)")
    p.add_argument("--dry-run", action="store_true",
                   help="only count the matching claims; change nothing")
    p.add_argument("--reviewer", metavar="NAME",
                   help="who makes the change (default: [review] reviewer in claimkit.toml)")
    p.set_defaults(run=cmd_review)

    p = commands.add_parser(
        "evaluate", parents=[common],
        help="score extraction against brat gold attributions",
        description="Extract attributions from GOLD_DIR/text/*.txt and score them against "
                    "GOLD_DIR/attributions/*_<annotator>.ann (content and end-to-end P/R/F1).")
    p.add_argument("gold_dir", metavar="GOLD_DIR", help="folder with text/ and attributions/")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(run=cmd_evaluate)

    p = commands.add_parser(
        "evaluate-checkworthiness", parents=[common],
        help="score check-worthiness against labelled sentences",
        description="Score each sentence of FILE.jsonl (lines {\"text\", \"label\"}, label 1 = "
                    "check-worthy) with the shipped check-worthiness model and print ROC-AUC, "
                    "average precision, and precision / recall / F1 at the shipped threshold.")
    p.add_argument("file", metavar="FILE.jsonl", help="labelled sentences, one JSON object a line")
    p.add_argument("--json", action="store_true",
                   help="print the scores as JSON: roc_auc, average_precision, precision, "
                        "recall, f1, threshold")
    p.set_defaults(run=cmd_evaluate_checkworthiness)

    p = commands.add_parser(
        "rank-matches",
        help="rank published fact-checks for each query text (has this been checked before?)",
        description="For each query, rank the fact-checks most likely to check the same claim: "
                    "BM25 and sentence embeddings propose candidates, a learned re-ranker orders "
                    "them. FACTCHECKS: a CSV/TSV with a header (first column the id, then the "
                    "claim, then optional title/context columns), a fact-check table (claim, "
                    "verdict, url, publisher, date), or ClaimReview JSON-LD (a file or a folder). "
                    "QUERIES: a CSV/TSV with a header, first column the id, other columns text.")
    p.add_argument("--factchecks", metavar="FILE|DIR", required=True, help="the fact-checks to rank")
    p.add_argument("--queries", metavar="FILE", required=True, help="the texts to match")
    p.add_argument("--top", metavar="K", type=_positive, default=5,
                   help="fact-checks per query (default: 5)")
    p.add_argument("--format", choices=("trec", "csv"), default="trec",
                   help="trec: 'query_id Q0 factcheck_id rank score claimkit' lines (default); "
                        "csv: query_id,factcheck_id,rank,score")
    p.add_argument("--output", metavar="FILE", help="write here (whole or not at all) instead of stdout")
    p.set_defaults(run=cmd_rank_matches)

    p = commands.add_parser(
        "import-factchecks",
        help="import published fact-checks into a store (ClaimReview JSON-LD or CSV)",
        description="Read fact-checks from a file or a folder (schema.org ClaimReview JSON-LD: "
                    "one object, a list, a @graph or a DataFeed; or CSV/TSV with a header: "
                    "claim, verdict, url, publisher, date) and keep them in the store, embedded "
                    "once, so that store.matches() and the review app can show earlier checks "
                    "of a claim. Each file goes in whole or not at all; a file that cannot be "
                    "read is named with the reason and the others still go in.")
    p.add_argument("path", metavar="FILE_OR_DIR", help="the fact-checks to import")
    p.add_argument("--store", metavar="FILE_OR_URL",
                   help="the store (default: [store] url in claimkit.toml)")
    p.set_defaults(run=cmd_import_factchecks)

    p = commands.add_parser(
        "demo", parents=[common],
        help="run the whole flow on the bundled sample data and summarise it",
        description="Read the sample articles, extract their claims and print a summary: "
                    "claims by kind, speakers, cue classes and example attributions.")
    p.add_argument("--data", metavar="DIR",
                   help="folder of articles to use instead of the bundled sample data")
    p.set_defaults(run=cmd_demo)
    return parser


_STORE_HELP = "the store to read (default: [store] url in claimkit.toml)"


def _whole_number(minimum: int, too_small: str):
    """An argparse type: a whole number of at least ``minimum``."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(too_small)
        return number
    return parse


_positive = _whole_number(1, "must be 1 or more")
_jobs = _whole_number(0, "must be 0 (one per core) or more")


# ---------------------------------------------------------------------------------------------
# claimkit attributions


def cmd_attributions(args: argparse.Namespace) -> int:
    from claimkit.engines import iter_extract
    from claimkit.ingest import read_articles

    _prepare_stdout(machine_readable=True)
    batch = Batch(show_progress(args), desc="attributions", total=_known_total(args.paths))
    with batch:
        articles = read_articles(args.paths, on_problem=batch.input_problem)
        extractions = iter_extract(articles, model=args.model, jobs=args.jobs)
        try:
            for x in extractions:
                if batch.record(x):
                    _write_line(article_json(x.article, x.claims))
        finally:
            extractions.close()  # stops worker processes at once on Ctrl-C or a closed stdout
    batch.print_summary()
    return EXIT_FAILED if batch.failed else EXIT_OK


def article_json(article: Article, claims: Sequence[Claim]) -> str:
    """One output line: ``{"path", "article_id", "published"?, "claims": [...]}``
    (docs/architecture.md §3). ``published`` (ISO date) is there only when the article has a
    date, so the lines of undated texts are what they always were."""
    record: dict = {"path": article.path, "article_id": article.article_id}
    if article.published is not None:
        record["published"] = article.published.isoformat()
    record["claims"] = [claim_record(c) for c in claims]
    line = json.dumps(record, ensure_ascii=False)
    # A lone surrogate (a file name that is not valid UTF-8, or a "\ud800" escape in a JSONL
    # corpus) cannot be written as UTF-8. Inside a JSON string it can be written as an escape,
    # which keeps the line valid and lets Python read the original value back.
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def claim_record(claim: Claim) -> dict:
    d = claim.to_dict()
    return {key: d[key] for key in CLAIM_KEYS}


def _known_total(paths: Sequence[str]) -> int | None:
    """Number of articles when every path is a one-article file; None (unknown) otherwise."""
    if all(p.lower().endswith(_ONE_ARTICLE_SUFFIXES) and os.path.isfile(p) for p in paths):
        return len(paths)
    return None


# ---------------------------------------------------------------------------------------------
# claimkit extract --store


def cmd_extract(args: argparse.Namespace) -> int:
    from claimkit.engines.dask import SchedulerUnreachable
    from claimkit.model import EXTRACTOR_VERSION
    from claimkit.load import extract_into_store
    from claimkit.store import StoreError

    _check_engine_options(args)
    store = _open_store(_store_target(args, "extract"), "extract")
    batch = Batch(show_progress(args), desc="extract", total=_known_total(args.paths))
    try:
        with store, batch:
            result = extract_into_store(store, args.paths, model=args.model, jobs=args.jobs,
                                        listener=batch, engine=args.engine,
                                        scheduler=args.scheduler,
                                        cluster=not args.no_cluster)
    except SchedulerUnreachable as exc:
        raise UsageError(f"claimkit extract: {exc}") from None
    except StoreError as exc:
        _error(f"claimkit extract: {exc}")
        return EXIT_FAILED
    batch.print_summary()
    added = result.added
    line = (f"stored {_plural(added.articles, 'article')} "
            f"({_plural(added.claims_added, 'new claim')}) in {store.name}")
    if result.already_stored:
        line += (f"; {result.already_stored} already there (extractor {EXTRACTOR_VERSION}), "
                 "skipped")
    if added.claims_missing:
        line += (f"; {_plural(added.claims_missing, 'claim')} no longer found, kept and "
                 "flagged missing")
    if result.clustered:
        line += f"; {_plural(result.clustered, 'claim')} clustered"
    print(line, file=sys.stderr, flush=True)
    return EXIT_FAILED if batch.failed else EXIT_OK


def _check_engine_options(args: argparse.Namespace) -> None:
    if args.scheduler is not None and args.engine != "dask":
        raise UsageError("claimkit extract: --scheduler needs --engine dask")
    if args.engine == "dask" and args.jobs != 1:
        raise UsageError("claimkit extract: --jobs is for the local engine; --engine dask "
                         "runs one worker per core, or the workers of --scheduler")


def _open_store(target: str, command: str, *, create: bool = True,
                reviewer: str | None = None):
    """The store at ``target``; read-only commands (and ``review``, which must not make an
    empty store from a typo) pass ``create=False`` and a missing store is then one line and
    exit code 1, with no file left behind. A bad claimkit.toml is a usage error."""
    from claimkit.config import ConfigError
    from claimkit.store import NoSuchStore, StoreError, open_store

    try:
        return open_store(target, reviewer=reviewer, create=create)
    except NoSuchStore as exc:
        raise CommandFailed(f"claimkit {command}: {exc}") from None
    except (StoreError, ConfigError) as exc:
        raise UsageError(f"claimkit {command}: {exc}") from None


def _settings(command: str):
    """The claimkit.toml settings (claimkit/config.py); a bad file is a usage error."""
    from claimkit.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise UsageError(f"claimkit {command}: {exc}") from None


def _store_target(args: argparse.Namespace, command: str) -> str:
    """--store, else [store] url from claimkit.toml."""
    if args.store:
        return args.store
    target = _settings(command).store_url
    if not target:
        raise UsageError(f"claimkit {command}: which store? give --store FILE_OR_URL, or set "
                         "[store] url in claimkit.toml")
    return target


# ---------------------------------------------------------------------------------------------
# claimkit export


def cmd_export(args: argparse.Namespace) -> int:
    from claimkit import export
    from claimkit.store import StoreError

    if not (args.csv or args.parquet or args.claimreview):
        raise UsageError("claimkit export: give at least one of --csv FILE, --parquet FILE, "
                         "--claimreview FILE")
    for path in filter(None, (args.csv, args.parquet, args.claimreview)):
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UsageError(f"claimkit export: no such folder: {folder}")
    publisher = None
    target = _store_target(args, "export")
    if args.claimreview:
        settings = _settings("export")
        try:
            publisher = export.load_publisher(args.publisher_name or settings.publisher_name,
                                              args.publisher_url or settings.publisher_url,
                                              args.review_url or settings.publisher_review_url,
                                              args.config)
        except export.ExportError as exc:
            raise UsageError(f"claimkit export: {exc}") from None
    filters = {name: getattr(args, name) for name in ("status", "verdict", "outlet", "tag")
               if getattr(args, name)}
    store = _open_store(target, "export", create=False)
    try:
        with store:
            frame = export.export_frame(store, include_rejected=args.include_rejected,
                                        **filters)
            verdicts = store.taxonomy("verdict")
            published = None if args.all_verdicts else store.workflow().exported_statuses
    except StoreError as exc:
        _error(f"claimkit export: {exc}")
        return EXIT_FAILED
    except ValueError as exc:  # a bad filter value
        raise UsageError(f"claimkit export: {exc}") from None
    done = []
    try:
        if args.csv:
            done.append(f"{export.write_csv(frame, args.csv)} rows to {args.csv}")
        if args.parquet:
            done.append(f"{export.write_parquet(frame, args.parquet)} rows to {args.parquet}")
        if args.claimreview:
            reviews = export.claimreviews(frame, verdicts, publisher, statuses=published)
            done.append(f"{export.write_claimreview(reviews, args.claimreview)} ClaimReviews "
                        f"to {args.claimreview}")
    except OSError as exc:
        _error(f"claimkit export: cannot write {exc.filename}: {exc.strerror}")
        return EXIT_FAILED
    print("exported " + "; ".join(done), file=sys.stderr, flush=True)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# claimkit charts / claimkit report


def cmd_charts(args: argparse.Namespace) -> int:
    from claimkit import charts

    fmt = args.format.strip().lower()
    if fmt not in charts.FORMATS:
        raise UsageError(f"claimkit charts: unknown format {args.format!r}; choose one of "
                         f"{', '.join(charts.FORMATS)}")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UsageError(f"claimkit charts: --out {args.out} is a file, not a folder")
    data, _ = _read_chart_data(_store_target(args, "charts"), "charts", args.include_rejected,
                               lists=False)
    try:
        paths = charts.export_charts(charts.build_chart_set(data), args.out, fmt)
    except OSError as exc:
        _error(f"claimkit charts: cannot write {exc.filename or args.out}: {exc.strerror}")
        return EXIT_FAILED
    print(f"wrote {_plural(len(paths), 'chart')} ({fmt}) to {args.out}", file=sys.stderr,
          flush=True)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from claimkit import report

    folder = os.path.dirname(os.path.abspath(args.html))
    if not os.path.isdir(folder):
        raise UsageError(f"claimkit report: no such folder: {folder}")
    data, name = _read_chart_data(_store_target(args, "report"), "report",
                                  args.include_rejected)
    page = report.build_html_report(data, source=name, title=args.title,
                                    max_rows=args.max_rows)
    try:
        report.write_page(page, args.html)
    except OSError as exc:
        _error(f"claimkit report: cannot write {exc.filename or args.html}: {exc.strerror}")
        return EXIT_FAILED
    print(f"wrote the report of {_plural(len(data.claims), 'claim')} to {args.html}",
          file=sys.stderr, flush=True)
    return EXIT_OK


def _read_chart_data(target: str, command: str, include_rejected: bool = False, *,
                     lists: bool = True):
    """Claims, history and taxonomies of an existing store (never creates one), and the
    store's name as shown to people (no password)."""
    from claimkit.charts import ChartData
    from claimkit.store import StoreError

    store = _open_store(target, command, create=False)
    try:
        with store:
            return (ChartData.from_store(store, include_rejected=include_rejected, lists=lists),
                    store.name)
    except StoreError as exc:
        raise UsageError(f"claimkit {command}: {exc}") from None


# ---------------------------------------------------------------------------------------------
# claimkit review


def cmd_review(args: argparse.Namespace) -> int:
    from claimkit.store import StoreError

    target = _store_target(args, "review")
    reviewer = args.reviewer if args.reviewer is not None else _settings("review").reviewer
    reviewer = " ".join((reviewer or "").split())
    if not reviewer and not args.dry_run:
        raise UsageError("claimkit review: who is reviewing? give --reviewer NAME, or set "
                         "reviewer under [review] in claimkit.toml (in this folder or in "
                         "~/.config/claimkit/)")
    where = {name: getattr(args, name) for name in ("status", "verdict", "tag", "outlet", "kind",
                                                    "assignee", "speaker", "search")
             if getattr(args, name) is not None}
    change = {"status": args.set_status, "verdict": args.set_verdict,
              "add_tags": [args.add_tag] if args.add_tag is not None else None,
              "assignee": args.assign}
    change = {k: v for k, v in change.items() if v is not None}
    # A read-write command, but a typo must not create an empty store: no such store, exit 1.
    store = _open_store(target, "review", create=False, reviewer=reviewer or None)
    try:
        with store:
            _check_filter_values(store, where)
            result = store.bulk_review(where, reviewer=reviewer or None, dry_run=args.dry_run,
                                       **change)
    except StoreError as exc:
        _error(f"claimkit review: {exc}")
        return EXIT_FAILED
    except (ValueError, TypeError) as exc:  # an unknown status or verdict, an empty tag
        raise UsageError(f"claimkit review: {exc}") from None
    if args.dry_run:
        _write_line(f"{_plural(result.matched, 'claim')} matched; dry run, nothing changed")
    else:
        _write_line(f"{_plural(result.matched, 'claim')} matched, {int(result)} changed")
    return EXIT_OK


def _check_filter_values(store, where: dict) -> None:
    """A status, verdict or kind filter must name a value that exists: a typo would match
    nothing and look like an empty queue."""
    from claimkit.model import Kind

    kinds = [k.value for k in Kind]
    for value in where.get("kind") or []:
        if value not in kinds:
            raise UsageError(f"claimkit review: unknown kind {value!r}; kinds are: "
                             f"{', '.join(kinds)}")
    for kind in ("status", "verdict"):
        known = store.taxonomy(kind).ids
        for value in where.get(kind) or []:
            if value not in known:
                raise UsageError(f"claimkit review: unknown {kind} {value!r}; this store's "
                                 f"{kind} values are: {', '.join(known)}")


def _rows(value: str) -> int:
    try:
        rows = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if rows < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return rows


# ---------------------------------------------------------------------------------------------
# claimkit evaluate


def cmd_evaluate(args: argparse.Namespace) -> int:
    from claimkit.evaluate import main_evaluate

    # main_evaluate decides about its progress bar itself (only on a terminal); --no-progress
    # cannot reach it until it takes a parameter for it.
    return main_evaluate(args.gold_dir, as_json=args.json, model=args.model, jobs=args.jobs)


def cmd_evaluate_checkworthiness(args: argparse.Namespace) -> int:
    from claimkit.evaluate_checkworthiness import LabelledFileError, evaluate_file, format_table

    try:
        figures = evaluate_file(args.file, model=args.model)
    except LabelledFileError as exc:
        raise UsageError(f"claimkit evaluate-checkworthiness: {exc}") from None
    _prepare_stdout(machine_readable=args.json)
    if args.json:
        _write_line(json.dumps({k: round(v, 6) for k, v in figures.items()}))
    else:
        _write_line(format_table(figures))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# claimkit import-factchecks


def cmd_import_factchecks(args: argparse.Namespace) -> int:
    from claimkit.factchecks import read_factchecks
    from claimkit.matching.encoder import ModelUnavailable
    from claimkit.store import StoreError

    name = "claimkit import-factchecks"
    if not os.path.exists(args.path):
        raise UsageError(f"{name}: no such file or folder: {args.path}")
    found, problems = read_factchecks(args.path)
    for problem in problems:
        _error(f"{name}: {problem}")
    by_file: dict[str, list] = {}
    for factcheck in found:
        by_file.setdefault(factcheck.path, []).append(factcheck)
    store = _open_store(_store_target(args, "import-factchecks"), "import-factchecks")
    added = updated = 0
    try:
        with store:
            for path, group in by_file.items():  # one transaction a file
                result = store.import_factchecks(group)
                added, updated = added + result.added, updated + result.updated
    except ModelUnavailable as exc:
        raise UsageError(f"{name}: {exc}") from None
    except StoreError as exc:
        raise CommandFailed(f"{name}: {exc}") from None
    line = (f"imported {_plural(added + updated, 'fact-check')} from "
            f"{_plural(len(by_file), 'file')} into {store.name} ({added} new, {updated} updated)")
    if problems:
        line += f"; {_plural(len(problems), 'file')} could not be read"
    print(line, file=sys.stderr, flush=True)
    return EXIT_FAILED if problems else EXIT_OK


# ---------------------------------------------------------------------------------------------
# claimkit rank-matches (the steps are in claimkit.rank_matches)


def cmd_rank_matches(args: argparse.Namespace) -> int:
    from claimkit.files import atomic_write
    from claimkit.matching.encoder import ModelUnavailable
    from claimkit import rank_matches as rm

    name = "claimkit rank-matches"
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        raise UsageError(f"{name}: no such folder: {os.path.dirname(os.path.abspath(args.output))}")
    try:
        queries = rm.read_queries(args.queries)
        factchecks, problems = rm.read_factcheck_rows(args.factchecks)
        if args.format == "trec":
            rm.check_trec_ids(queries, args.queries)
            rm.check_trec_ids(factchecks, args.factchecks)
    except rm.RankInputError as exc:
        raise CommandFailed(f"{name}: {exc}") from None
    for problem in problems:
        _error(f"{name}: {problem}")
    if not factchecks:
        raise CommandFailed(f"{name}: no fact-checks could be read from {args.factchecks}")
    try:
        ranked = rm.rank(factchecks, queries, args.top)
    except ModelUnavailable as exc:
        raise UsageError(f"{name}: {exc}") from None
    text = rm.format_trec(ranked) if args.format == "trec" else rm.format_csv(ranked)
    if args.output:
        try:
            atomic_write(args.output, lambda f: f.write(text), newline="")
        except OSError as exc:
            raise CommandFailed(f"{name}: cannot write {args.output}: {exc.strerror}") from None
        print(f"ranked {len(factchecks)} fact-checks for {len(queries)} queries into {args.output}",
              file=sys.stderr, flush=True)
    else:
        _prepare_stdout(machine_readable=True)
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError as exc:
            raise _StdoutClosed from exc
    return EXIT_FAILED if any(p.severity == "error" for p in problems) else EXIT_OK


# ---------------------------------------------------------------------------------------------
# claimkit demo (the steps are in claimkit.demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from claimkit.demo import DemoRun, default_data_dir, text_width

    _prepare_stdout(machine_readable=False)
    if args.data is not None:
        data_dir = Path(args.data)
        if not data_dir.is_dir():
            raise UsageError(f"claimkit demo: no such folder: {args.data}")
    else:
        data_dir = default_data_dir()
        if data_dir is None:
            raise UsageError("claimkit demo: the sample data folder (data/ in the claimkit "
                             "repository) was not found; pass --data DIR")
    run = DemoRun(data_dir=data_dir, out=_write_line, width=text_width())
    batch = Batch(show_progress(args), desc="demo")
    with batch:
        _demo_extract(run, args, batch)
    batch.print_summary()
    run.show()
    return EXIT_FAILED if batch.failed else EXIT_OK


def _demo_extract(run: DemoRun, args: argparse.Namespace, batch: Batch) -> None:
    from claimkit.engines import iter_extract
    from claimkit.ingest import read_articles

    articles = read_articles([run.data_dir], on_problem=batch.input_problem)
    extractions = iter_extract(articles, model=args.model, jobs=args.jobs)
    try:
        for x in extractions:
            if batch.record(x):
                run.results.append((x.article, x.claims))
    finally:
        extractions.close()


# ---------------------------------------------------------------------------------------------
# Batches: problems, counts, progress


def show_progress(args: argparse.Namespace) -> bool:
    return not args.no_progress and sys.stderr.isatty()


class Batch:
    """What a batch command reports on stderr: each problem as it happens, then a summary.

    Problems come from two places: reading (``input_problem``: a file or corpus row that gave
    no article, or a caveat about one that did) and extraction (``record``: an ``Extraction``
    that carries its problem). An input is *skipped* when it had a problem and never produced
    an article.
    """

    def __init__(self, progress: bool, desc: str, total: int | None = None) -> None:
        self.summary = BatchSummary()
        self.skipped: list[str] = []
        # Inputs with a problem and no article yet. Reading runs ahead of extraction, so an
        # input's warning arrives before its article comes out; only problem paths are kept,
        # so memory does not grow with the corpus.
        self._open: dict[str, None] = {}
        self._progress = progress
        self._desc = desc
        self._total = total
        self._bar: tqdm | None = None

    def __enter__(self) -> Batch:
        if self._progress:
            from tqdm import tqdm

            # With no total (folders, corpora) tqdm's default reads "12article"; say it in words.
            counter = "{desc}: {n_fmt} articles [{elapsed}, {rate_fmt}]"
            self._bar = tqdm(total=self._total, desc=self._desc, unit="article",
                             bar_format=None if self._total else counter,
                             file=sys.stderr, leave=False, dynamic_ncols=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    @property
    def failed(self) -> bool:
        return self.summary.failed

    def input_problem(self, problem: InputProblem) -> None:
        self._report(problem)
        self._open[problem.path] = None

    def record(self, extraction: Extraction) -> bool:
        """Count an article out of extraction; False when its extraction failed (not output)."""
        article = extraction.article
        self._open.pop(article.path, None)
        if self._bar is not None:
            self._bar.update(1)
        if extraction.problem is not None:
            self._report(extraction.problem)
            self.skipped.append(article.path or article.article_id)
            return False
        self.summary.articles += 1
        self.summary.claims += len(extraction.claims)
        return True

    def already_done(self, article: Article) -> None:
        """An article that needs no work this run (``extract``: already in the store)."""
        self._open.pop(article.path, None)
        if self._bar is not None:
            self._bar.update(1)

    def summary_line(self) -> str | None:
        """``N articles, M claims; K files skipped``, or None when nothing was skipped."""
        skipped = self.skipped + list(self._open)
        if not skipped:
            return None
        rows = sum(1 for p in skipped if _CORPUS_ROW.search(p))
        parts = []
        if len(skipped) - rows:
            parts.append(_plural(len(skipped) - rows, "file"))
        if rows:
            parts.append(_plural(rows, "row"))
        return (f"{_plural(self.summary.articles, 'article')}, "
                f"{_plural(self.summary.claims, 'claim')}; {' and '.join(parts)} skipped")

    def print_summary(self) -> None:
        line = self.summary_line()
        if line is not None:
            print(line, file=sys.stderr, flush=True)

    def _report(self, problem: InputProblem) -> None:
        self.summary.problems.append(problem)
        line = str(problem).replace("\n", " ")
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr)  # above the bar, not through it
        else:
            print(line, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Output


def _prepare_stdout(*, machine_readable: bool) -> None:
    """JSON lines are always UTF-8 (RFC 8259); text for people never fails on a narrow locale."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if encoding == "utf8" or not hasattr(sys.stdout, "reconfigure"):
        return
    if machine_readable:
        sys.stdout.reconfigure(encoding="utf-8")
    else:
        sys.stdout.reconfigure(errors="replace")


def _write_line(line: str) -> None:
    """Write one line to stdout now, so a consumer sees each result as soon as it exists."""
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError as exc:
        raise _StdoutClosed from exc


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; with the reader gone that would print
    # "Exception ignored … BrokenPipeError". Point the descriptor at /dev/null instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _error(message: str) -> None:
    prefix = "" if message.startswith("claimkit") else "claimkit: "
    print(prefix + message.replace("\n", " "), file=sys.stderr, flush=True)


def _describe(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
