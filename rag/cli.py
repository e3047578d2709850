"""The ``survey-rag`` command line: one script, one subcommand per job.

Each subcommand imports its subsystem inside its handler, so ``survey-rag --help`` stays
instant and a missing optional part only affects the command that needs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from rag.errors import SurveyRagError
from rag.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import run_ingest_command

    return run_ingest_command(args, settings)


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import run_status_command

    return run_status_command(args, settings)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.commands import run_ask_command

    return run_ask_command(args, settings)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from rag.commands import run_chat_command

    return run_chat_command(args, settings)


def _ui(args: argparse.Namespace, settings: Settings) -> int:
    from ui.app import run_ui_command

    return run_ui_command(args, settings)


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from evals.runner import run_eval_command

    return run_eval_command(args, settings)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.target == "ingest":
        from ingest.bench import run_bench_ingest

        return run_bench_ingest(args, settings)
    if args.target == "scale":
        from ingest.bench_scale import run_bench_scale

        return run_bench_scale(args, settings)
    from rag.bench import run_bench_query

    return run_bench_query(args, settings)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; global options may also come from SURVEY_RAG_* variables."""
    parser = argparse.ArgumentParser(
        prog="survey-rag",
        description="Answer questions about survey reports, citing the sentence behind every "
        "figure.",
        epilog='example: survey-rag ask "What share of companies felt understaffed?"',
    )
    parser.add_argument(
        "--chroma-url",
        help="use this Chroma server instead of the embedded index (env SURVEY_RAG_CHROMA_URL)",
    )
    parser.add_argument("--data-dir", help="embedded index folder (env SURVEY_RAG_DATA_DIR)")
    parser.add_argument("--corpus-dir", help="bundled reports folder (env SURVEY_RAG_CORPUS_DIR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, epilog=f"example: {example}")
        p.set_defaults(handler=handler)
        return p

    p = add("ingest", _ingest, "index the bundled corpus, or a report folder", "survey-rag ingest")
    p.add_argument(
        "paths",
        nargs="*",
        help="report folders holding report.txt, report.md or report.pdf (default: the corpus)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add(
        "status",
        _status,
        "show what is indexed, where, and whether it is stale",
        "survey-rag status --json",
    )
    p.add_argument("--json", action="store_true", help="print machine-readable status")

    p = add(
        "ask",
        _ask,
        "answer one question with citations",
        'survey-rag ask "How many companies could fully show ROI?"',
    )
    p.add_argument("question", help="the question, in quotes")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")

    add("chat", _chat, "a terminal chat that keeps the conversation", "survey-rag chat")

    p = add("ui", _ui, "open the chat UI in the browser", "survey-rag ui --port 7860")
    p.add_argument("--host", help="bind address (default 127.0.0.1; env SURVEY_RAG_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860; env SURVEY_RAG_PORT)")
    p.add_argument("--auth", help="user:password to require a login (env SURVEY_RAG_AUTH)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")

    p = add(
        "eval",
        _eval,
        "score the answer engine on the evaluation set",
        "survey-rag eval --min-accuracy 0.98 --out evals/out",
    )
    p.add_argument("--cases", help="a cases file (default: the bundled set)")
    p.add_argument("--out", default="evals/out", help="folder for the JSON/Markdown/PNG reports")
    p.add_argument(
        "--min-accuracy",
        type=float,
        default=None,
        help="exit 1 if numeric accuracy on direct figures is below this (0..1)",
    )
    p.add_argument(
        "--max-unsupported",
        type=int,
        default=None,
        help="exit 1 if answers state more unsupported figures than this",
    )
    p.add_argument("--no-baseline", action="store_true", help="skip the plain-LangChain baseline")
    p.add_argument(
        "--category",
        action="append",
        help="only cases of this category, e.g. direct or refusal (repeatable)",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N selected cases")

    p = add(
        "bench",
        _bench,
        "measure ingest, query or many-report speed",
        "survey-rag bench scale --reports 100",
    )
    p.add_argument("target", choices=["ingest", "query", "scale"], help="what to measure")
    p.add_argument("--repeat", type=int, default=5, help="rounds to run")
    p.add_argument(
        "--reports", type=int, default=100, help="scale: made-up report variants to ingest"
    )
    p.add_argument(
        "--questions", type=int, default=100, help="scale: distinct questions per answer mode"
    )
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value
        for key, value in {
            "chroma_url": args.chroma_url,
            "data_dir": args.data_dir,
            "corpus_dir": args.corpus_dir,
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
            "auth": getattr(args, "auth", None),
        }.items()
        if value is not None
    }
    return Settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``survey-rag`` script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args, _settings(args)))
    except SurveyRagError as exc:
        print(f"survey-rag {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"survey-rag {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
