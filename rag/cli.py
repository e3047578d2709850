"""The ``survey-rag`` command line: one script, one subcommand per job.

Each subcommand imports its subsystem inside its handler, so ``survey-rag --help`` stays
instant and a missing optional part only affects the command that needs it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from rag.errors import InputError, SurveyRagError
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
    if args.target == "extract":
        from ingest.bench_extract import run_bench_extract

        return run_bench_extract(args, settings)
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
    parser.add_argument(
        "--model-dir",
        help="sentence-transformers model folder (env SURVEY_RAG_MODEL_DIR; default: bundled)",
    )
    parser.add_argument("--report", help="answer from this report id only (env SURVEY_RAG_REPORT)")
    parser.add_argument(
        "--top-k", type=int, help="passages retrieved per question (env SURVEY_RAG_TOP_K; 8)"
    )
    parser.add_argument(
        "--llm",
        help="answer-writing backend: none (extractive, the default) or openai "
        "(env SURVEY_RAG_LLM)",
    )
    parser.add_argument(
        "--llm-base-url",
        help="OpenAI-compatible endpoint for --llm openai (env SURVEY_RAG_LLM_BASE_URL); "
        "the key comes only from SURVEY_RAG_LLM_API_KEY or OPENAI_API_KEY",
    )
    parser.add_argument("--llm-model", help="chat model name (env SURVEY_RAG_LLM_MODEL)")
    parser.add_argument(
        "--llm-timeout",
        type=float,
        help="seconds to wait for the chat model (env SURVEY_RAG_LLM_TIMEOUT; 30)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, epilog=f"example: {example}")
        p.set_defaults(handler=handler)
        return p

    p = add(
        "ingest",
        _ingest,
        "index the bundled corpus, or report files (.md .txt .html .pdf) and folders",
        "survey-rag ingest path/to/results.md --title 'Dev Survey 2024'",
    )
    p.add_argument(
        "paths",
        nargs="*",
        help="report files, or folders holding report.txt|md|html|pdf (default: the corpus)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="move a broken embedded index aside (renamed, never deleted) and build anew",
    )
    p.add_argument(
        "--max-size",
        default=None,
        help="refuse a report file larger than this, e.g. 50MB (default 5MB: embedding "
        "takes minutes per MB of text on a CPU)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--id", help="report id to use instead of the file's (one report only)")
    p.add_argument("--title", help="report title to use instead of the file's")
    p.add_argument("--year", type=int, help="report year to use instead of the file's")

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
    p.add_argument("--explain", action="store_true", help="also print how the question was read")
    # SUPPRESS: without the option here, the global --report (before the command) still counts
    p.add_argument("--report", default=argparse.SUPPRESS, help="answer from this report id only")

    p = add("chat", _chat, "a terminal chat that keeps the conversation", "survey-rag chat")
    p.add_argument("--report", default=argparse.SUPPRESS, help="answer from this report id only")

    p = add("ui", _ui, "open the chat UI in the browser", "survey-rag ui --port 7860")
    p.add_argument("--host", help="bind address (default 127.0.0.1; env SURVEY_RAG_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860; env SURVEY_RAG_PORT)")
    p.add_argument("--auth", help="user:password to require a login (env SURVEY_RAG_AUTH)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.add_argument(
        "--concurrency",
        type=int,
        help="questions answered at once (default 4; env SURVEY_RAG_CONCURRENCY)",
    )

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
        "--min-overall",
        type=float,
        default=None,
        help="exit 1 if accuracy over all cases is below this (0..1)",
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
    p.add_argument(
        "--reports",
        metavar="all|ID[,ID]",
        help="also ingest and score the reports in evals/reports/, one row each",
    )
    p.add_argument(
        "--no-bundled", action="store_true", help="with --reports: skip the bundled report's set"
    )

    p = add(
        "bench",
        _bench,
        "measure ingest, query or many-report speed, or figure extraction against hand tables",
        "survey-rag bench scale --reports 100",
    )
    p.add_argument(
        "target", choices=["ingest", "query", "extract", "scale"], help="what to measure"
    )
    p.add_argument("path", nargs="?", help="ingest/extract: a report file or folder")
    p.add_argument("--repeat", type=int, default=5, help="rounds to run")
    p.add_argument(
        "--size",
        help="ingest only: time the steps on the bundled report repeated to these sizes, "
        "e.g. --size 1MB,10MB,50MB",
    )
    p.add_argument(
        "--reports", type=int, default=100, help="scale: made-up report variants to ingest"
    )
    p.add_argument(
        "--questions", type=int, default=100, help="scale: distinct questions per answer mode"
    )
    p.add_argument(
        "--keep",
        metavar="DIR",
        help="scale: keep the corpus and index in DIR; a later run with the same DIR and "
        "--reports answers on them without ingesting again",
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
            "model_dir": args.model_dir,
            "report": args.report,
            "top_k": args.top_k,
            "llm": args.llm,
            "llm_base_url": args.llm_base_url,
            "llm_model": args.llm_model,
            "llm_timeout": args.llm_timeout,
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
            "auth": getattr(args, "auth", None),
            "concurrency": getattr(args, "concurrency", None),
        }.items()
        if value is not None
    }
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        raise InputError(
            f"setting {name} = {error.get('input')!r} is not usable ({error['msg']}): fix "
            f"--{name.replace('_', '-')} or SURVEY_RAG_{name.upper()}"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``survey-rag`` script."""
    args = build_parser().parse_args(argv)
    try:
        code = int(args.handler(args, _settings(args)))
        sys.stdout.flush()  # a reader that went away shows up here, not at interpreter exit
        return code
    except SurveyRagError as exc:
        print(f"survey-rag {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"survey-rag {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`survey-rag ask ... | head`): nothing left to say to it, and
        # Python's own flush at exit must not fail again on the closed pipe
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


if __name__ == "__main__":
    sys.exit(main())
