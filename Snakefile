# abs-trust: Asian Barometer Survey release files -> institutional-trust tables, figures, and a
# check against the published numbers (Farid & Song 2020). Read top to bottom:
#   common    validate config + crosswalk, decide the waves and outputs
#   wave      one job per wave: release file(s) -> harmonized respondents (data/interim/)
#             -> that wave's shares, coverage, correlations, models (results/tables/waves/)
#   tables    one job (a checkpoint: whether the gate runs depends on its checks): the
#             contract tables, Table 4, cross-national tables, every published number beside
#             ours, the weights' quality, provenance, the report summary
#   figures   two jobs: the paper's (Figure 1, the Table 4 chart); correlations by country
#   reproduce the gate: fails the run on a missed published number
# Few jobs by design: each starts Python and imports pandas & co. (docs/performance.md).


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/wave.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/reproduce.smk"


rule all:
    default_target: True
    input:
        all_outputs(),
        gate_verdict,


# results/ holds one run: marked while a run rewrites it, swept of other runs' files after.
onstart:
    start_run()


onsuccess:
    finish_run(success=True)
    print(run_summary(success=True))


onerror:
    finish_run(success=False)
    print(run_summary(success=False))
