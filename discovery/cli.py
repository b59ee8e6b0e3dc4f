"""The ``discovery`` command: ``discovery demo``, ``discovery fit data.csv``, ``discovery fit-system series.csv``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import BackendUnavailable, DataError
from .parameters import METHODS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except (DataError, BackendUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="discovery", description="Find the law behind measurements.")
    sub = parser.add_subparsers(dest="command")
    _add_demo(sub)
    _add_fit(sub)
    _add_fit_system(sub)
    _add_predict(sub)
    return parser


def _add_demo(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="the cannon experiment: every method, one table, the law")
    demo.add_argument("--seed", type=int, default=0, help="seed of the data and the methods (default 0)")
    demo.add_argument("--n", type=_positive_int, default=1000, help="training shots (default 1000)")
    demo.add_argument("--noise", type=float, default=0.01, help="distance noise std (default 0.01)")
    demo.add_argument("--plots", metavar="DIR", help="write PNG plots into DIR")
    demo.add_argument("--fast", action="store_true", help="fewer epochs for the gradient-trained baselines")
    demo.set_defaults(run=_run_demo)


def _add_fit(sub: argparse._SubParsersAction) -> None:
    fit = sub.add_parser("fit", help="find the law in a data file (CSV, Parquet, Feather or Excel)")
    fit.add_argument("csv", metavar="data", help="CSV (header row), Parquet, Feather or Excel (.xlsx) file")
    fit.add_argument("--target", required=True, help="the output column")
    fit.add_argument("--variables", help="comma-separated input columns (default: all others)")
    fit.add_argument(
        "--sigma",
        metavar="NUMBER|COLUMN",
        help="the target's measurement error, one number or a column holding each row's (not an input): "
        "the law is then chosen by a chi-square test against it",
    )
    _add_constants(fit)
    fit.add_argument(
        "--units",
        action="append",
        default=[],
        metavar="NAME=UNIT",
        help="units of the variables (and of constants that have one), e.g. v=m/s,theta=,g=m/s**2: "
        "the search then runs on their dimensionless groups (needs pint; with --target-unit)",
    )
    fit.add_argument("--target-unit", help="the target's unit, with --units, e.g. m")
    fit.add_argument("--library", help='terms, e.g. "v, v**2*sin(2*theta)" or "power_harmonics(v, theta)"')
    fit.add_argument("--solver", default="l0", help="l0 (default), stlsq, lasso, lstsq or adam")
    fit.add_argument(
        "--method",
        default="auto",
        choices=METHODS,
        help="auto (default): the basis regressor, then the decomposition, parametric forms and a search "
        "backend if the law misses structure; basis; forms; decompose; operon; pysr (needs Julia)",
    )
    fit.add_argument(
        "--max-terms", type=_positive_int, default=5, help="most terms in the law for l0, lasso and adam (default 5)"
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fit.add_argument(
        "--time-limit", type=float, help="seconds after which no further library level or target transform is tried"
    )
    fit.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="B",
        help="refit on B resamples of the rows: inclusion probability of each term (default 0)",
    )
    fit.add_argument("--save", metavar="LAW.json", help="write the law to a JSON file ('discovery predict' reads it)")
    fit.add_argument(
        "--plots", metavar="DIR", help="write the law's figures to DIR: law.png (parity, residuals) and front.png"
    )
    fit.set_defaults(run=_run_fit)


def _add_fit_system(sub: argparse._SubParsersAction) -> None:
    system = sub.add_parser("fit-system", help="find the differential equations behind time series in a data file")
    system.add_argument(
        "csv", metavar="data", help="CSV, Parquet, Feather or Excel file: a time column, the states, any inputs"
    )
    system.add_argument("--time", default="t", help="the time column (default t)")
    system.add_argument("--variables", help="comma-separated state columns (default: all but time, inputs, trajectory)")
    system.add_argument("--inputs", help="comma-separated columns of external inputs (not modelled)")
    system.add_argument("--trajectory", help="a column labelling each row's trajectory (several initial conditions)")
    _add_constants(system)
    system.add_argument(
        "--derivatives", default="auto", choices=("auto", "finite", "spline"), help="how derivatives are estimated"
    )
    system.add_argument(
        "--no-trajectory-fit",
        action="store_true",
        help="keep the coefficients fitted to the derivatives (skip fitting them to the states by simulation)",
    )
    system.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    system.add_argument("--time-limit", type=float, help="seconds for the whole system")
    system.add_argument("--save", metavar="SYSTEM.json", help="write the system to a JSON file")
    system.add_argument("--plot", metavar="FILE.png", help="draw the data against the simulated system")
    system.set_defaults(run=_run_fit_system)


def _add_predict(sub: argparse._SubParsersAction) -> None:
    predict = sub.add_parser("predict", help="evaluate a saved law on a CSV file")
    predict.add_argument("law", help="a law file written by 'discovery fit --save' or law.save()")
    predict.add_argument("csv", metavar="data", help="CSV, Parquet, Feather or Excel file holding the law's variables")
    predict.add_argument("--out", metavar="FILE", help="write the predictions as CSV to FILE (default: stdout)")
    predict.set_defaults(run=_run_predict)


def _add_constants(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--constants",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="named constants to recognise, e.g. g=9.81 (repeat or comma-separate)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _named_values(items: Sequence[str], kind: str, example: str) -> list[tuple[str, str]]:
    """``["a=1", "b=2,c=3"]`` → ``[("a", "1"), ("b", "2"), ("c", "3")]``; DataError for a part without NAME=."""
    pairs = []
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            name, sep, value = part.partition("=")
            if not sep or not name.strip():
                raise DataError(f"{kind} {part!r} must be written {example}")
            pairs.append((name.strip(), value.strip()))
    return pairs


def parse_constants(items: Sequence[str]) -> dict[str, float]:
    """``["g=9.81", "c=3e8,h=6.6e-34"]`` → ``{"g": 9.81, ...}``."""
    constants: dict[str, float] = {}
    for name, value in _named_values(items, "constant", "NAME=VALUE, e.g. g=9.81"):
        try:
            constants[name] = float(value)
        except ValueError:
            raise DataError(f"constant {name!r}: {value!r} is not a number") from None
    return constants


def parse_units(items: Sequence[str]) -> dict[str, str] | None:
    """``["v=m/s,theta=", "g=m/s**2"]`` → ``{"v": "m/s", "theta": "", "g": "m/s**2"}``; None when none given."""
    return dict(_named_values(items, "unit", "NAME=UNIT, e.g. v=m/s (theta= for none)")) or None


def _run_demo(args: argparse.Namespace) -> int:
    from .article.demo import format_table, run_demo

    report = run_demo(seed=args.seed, n=args.n, noise=args.noise, fast=args.fast)
    print(
        f"Cannon experiment: {args.n} shots, seed {args.seed}, noise {args.noise}; test RMSE against the "
        "true law on fresh shots.\n"
    )
    print(format_table(report.results))
    print(f"\nRecovered law: {report.law}")
    print(f"LaTeX:         {report.law.latex()}")
    if args.plots:
        from .article.cannon import true_distance
        from .article.plots import write_cannon_plots

        models = {r.name: r.predict for r in report.results}
        paths = write_cannon_plots(args.plots, report.X, report.y, models, true_distance)
        print(f"\nwrote {len(paths)} plots to {args.plots}")
    return 0


def _run_fit(args: argparse.Namespace) -> int:
    from .api import discover
    from .io.tables import read_table

    columns = read_table(args.csv)
    variables = [v.strip() for v in args.variables.split(",")] if args.variables else None
    if args.target not in columns:
        raise DataError(f"target column {args.target!r} is not in {args.csv!r}; its columns are {', '.join(columns)}")
    sigma = _sigma(args.sigma, columns, args.csv)
    law = discover(
        columns,
        target=args.target,
        sigma=sigma,
        variables=variables,
        constants=parse_constants(args.constants),
        library=args.library,
        solver=args.solver,
        max_terms=args.max_terms,
        random_state=args.seed,
        time_limit=args.time_limit,
        verbose=True,
        method=args.method,
        bootstrap=args.bootstrap,
        units=parse_units(args.units),
        target_unit=args.target_unit,
    )
    print(law.summary())
    if args.save:
        law.save(args.save)
        print(f"saved the law to {args.save}")
    if args.plots:
        folder = Path(args.plots)
        figures = {"law.png": law.plot(columns, columns[args.target])}
        if law.front:
            figures["front.png"] = law.plot_front()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, fig in figures.items():
                fig.savefig(folder / name, dpi=120)
        except OSError as err:
            raise DataError(f"cannot write the plots to {str(folder)!r}: {err.strerror or err}") from None
        print(f"wrote {', '.join(figures)} to {folder}")
    return 0


def _sigma(text: str | None, columns: dict, path: str) -> Any:
    """``--sigma``: a column's values (taken out of the inputs), a number, or None."""
    if text is None:
        return None
    if text in columns:
        return columns.pop(text)
    try:
        return float(text)
    except ValueError:
        raise DataError(
            f"--sigma must be a number or a column of {path!r}; {text!r} is neither (its columns: {', '.join(columns)})"
        ) from None


def _run_fit_system(args: argparse.Namespace) -> int:
    from .dynamics import discover_system
    from .io.tables import read_table

    columns = read_table(args.csv)

    def names(text: str | None) -> list[str] | None:
        return [v.strip() for v in text.split(",") if v.strip()] if text else None

    system = discover_system(
        columns,
        time=args.time,
        variables=names(args.variables),
        inputs=names(args.inputs),
        trajectory=args.trajectory,
        constants=parse_constants(args.constants) or None,
        derivatives=args.derivatives,
        random_state=args.seed,
        time_limit=args.time_limit,
        trajectory_fit=not args.no_trajectory_fit,
        verbose=True,
    )
    print(system)
    print(f"LaTeX:\n{system.latex()}")
    check = system.info.get("check", {})
    print(
        f"derivatives: {system.info['derivatives']}; simulated from each trajectory's start, the system holds "
        f"{check.get('held', 0):.0%} of the trajectories over their whole span "
        f"(horizons {', '.join(f'{h:g}' for h in check.get('horizon', []))})"
    )
    if "trajectory_fit" in system.info:
        fit = system.info["trajectory_fit"]
        misses = f"; RMS miss {fit['chi_after']:.3g} noise units" if "chi_after" in fit else ""
        print(f"trajectory fit: {fit['status']}{misses}")
        for state, terms in fit.get("restructured", {}).items():
            print(f"  d{state}/d{system.time}: replaced by the term search on the trajectories (terms were {terms})")
    if args.save:
        system.save(args.save)
        print(f"saved the system to {args.save}")
    if args.plot:
        fig = system.plot(columns, time=args.time, trajectory=args.trajectory)
        try:
            fig.savefig(args.plot)
        except OSError as err:
            raise DataError(f"cannot write {args.plot!r}: {err.strerror or err}") from None
        print(f"wrote {args.plot}")
    return 0


def _run_predict(args: argparse.Namespace) -> int:
    from .io.tables import read_table
    from .law.law import Law

    law = Law.load(args.law)
    columns = read_table(args.csv)
    missing = [v for v in law.variables if v not in columns]
    if missing:
        raise DataError(
            f"the law {law.formula} needs column(s) {', '.join(map(repr, missing))}; "
            f"{args.csv!r} has {', '.join(columns)}"
        )
    predicted = law.predict(columns)
    lines = [law.target] + [repr(float(v)) for v in predicted]  # repr: the shortest text that reads back exactly
    text = "\n".join(lines) + "\n"
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as err:
            raise DataError(f"cannot write {args.out!r}: {err.strerror or err}") from None
        print(f"wrote {len(predicted)} predictions of {law.target} to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
