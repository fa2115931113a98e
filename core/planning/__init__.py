"""Pure MPS/MRP planning engines: plain data in, plain data out, no I/O, no database.

Entry points: :func:`core.planning.bundle.parse_bundle` (validate a plan bundle),
:func:`core.planning.mrp.plan` (run MPS + MRP), :func:`core.planning.plan_output.render_plan`
(the output dict of shared/formats/plan-bundle.md) and :func:`core.planning.cli.plan_command`.
"""
