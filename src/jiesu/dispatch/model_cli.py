"""``jiesu dispatch train`` and ``jiesu dispatch evaluate``: the learned suggestions (D7).

The lead engineer wires :func:`add_dispatch_commands` into ``jiesu.cli``; each
command returns an exit code and raises :class:`~jiesu.domain.errors.JiesuError`
(``dispatch_model.*``) on bad input, which ``jiesu.cli.main`` prints.
"""

from __future__ import annotations

import argparse
import json


def _columns(sp: argparse.ArgumentParser, *, required: bool = True) -> None:
    sp.add_argument("--data", required=required, help="CSV file (UTF-8 or GB18030; , or tab)")
    sp.add_argument(
        "--text-column",
        action="append",
        required=required,
        dest="text_columns",
        help="column holding text; repeat to join several (e.g. title and details)",
    )
    sp.add_argument("--label-column", required=required, help="column holding the label")


def _report(args, result: dict, line: str) -> None:
    """The result as one JSON object with ``--json``, else one line for a person."""
    print(json.dumps(result, ensure_ascii=False) if args.json else line)


def add_dispatch_commands(subparsers) -> argparse.ArgumentParser:
    """Add ``dispatch train`` and ``dispatch evaluate`` to the CLI's subparsers."""
    dispatch = subparsers.add_parser("dispatch", help="learned dispatch suggestions")
    sub = dispatch.add_subparsers(dest="dispatch_cmd", required=True)
    sp = sub.add_parser(
        "train", help="train from the city's history (default) or from a labelled CSV file"
    )
    _columns(sp, required=False)
    sp.add_argument("--out", help="model file to write (with --data)")
    sp.add_argument("--city", help="city file, for training from history")
    sp.add_argument("--database-url", help="database, for training from history")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--json", action="store_true", help="print the result as one JSON object")
    sp.set_defaults(func=cmd_dispatch_train)
    sp = sub.add_parser("evaluate", help="accuracy, macro-F1, top-3 and latency on a CSV file")
    sp.add_argument("--model", required=True)
    _columns(sp)
    sp.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    sp.set_defaults(func=cmd_dispatch_evaluate)
    return dispatch


def cmd_dispatch_train(args) -> int:
    from . import model as m

    if args.data is None:
        return _train_from_history(args)
    if not (args.text_columns and args.label_column and args.out):
        raise m.InvalidInput(
            "dispatch_model.no_text_column",
            "用文件训练须给出 --text-column、--label-column 和 --out",
            "Training from a file needs --text-column, --label-column and --out",
        )
    texts, labels = m.read_csv(args.data, args.text_columns, args.label_column)
    mod = m.train(
        texts,
        labels,
        seed=args.seed,
        text_columns=args.text_columns,
        label_column=args.label_column,
    )
    m.save(mod, args.out)
    result = {
        "model": str(args.out),
        "model_version": mod.version,
        "rows": mod.rows,
        "labels": mod.labels,
    }
    _report(
        args,
        result,
        f"{args.out}: model {mod.version}, {mod.rows} rows, {len(mod.labels)} labels "
        f"({', '.join(mod.labels)})",
    )
    return 0


def cmd_dispatch_evaluate(args) -> int:
    from . import model as m

    mod = m.load(args.model)
    texts, labels = m.read_csv(args.data, args.text_columns, args.label_column)
    r = m.evaluate(mod, texts, labels)
    if args.json:
        print(json.dumps(r, ensure_ascii=False))
    else:
        print(
            f"model {r['model_version']} on {r['rows']} rows: accuracy {r['accuracy']:.3f}, "
            f"macro-F1 {r['macro_f1']:.3f}, top-3 accuracy {r['top3_accuracy']:.3f}, "
            f"{r['ms_per_ticket_median']:.2f} ms per ticket (median; p95 "
            f"{r['ms_per_ticket_p95']:.2f} ms)"
        )
        if r["unknown_labels"]:
            print(f"labels the model never saw: {r['unknown_labels']}")
    return 0


def _train_from_history(args) -> int:
    """D7: the duties the city's own units led, upheld objections as negative evidence."""
    from jiesu.bootstrap import open_context

    from .history import train_from_history

    ctx = open_context(args.city, args.database_url)
    record = train_from_history(ctx, trained_by="cli")
    result = {
        "model_version": record.version,
        "path": record.path,
        "samples": record.samples,
        "labels": record.labels,
        "negatives": record.negatives,
    }
    _report(
        args,
        result,
        f"model {record.version} from {record.samples} dispatched tickets, "
        f"{record.labels} duties; active from now on ({record.path})",
    )
    return 0
