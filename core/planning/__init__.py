"""Pure MPS/MRP planning engines: plain data in, plain data out, no I/O, no database.

Entry points: :func:`core.planning.bundle.parse_bundle` (validate a plan bundle dict),
:func:`core.planning.planner.plan` (run MPS + MRP: a :class:`~core.planning.planner.Plan`),
:func:`core.planning.plan_output.render_plan` (the output dict of
shared/formats/plan-bundle.md), :func:`core.planning.plan_json.plan_json` (the same as
JSON bytes, fast) and :func:`core.planning.cli.plan_command` (``plantops plan``).
"""
