# abs-trust: Asian Barometer Survey release files -> institutional-trust tables, figures, and a
# check against the published numbers (Farid & Song 2020). Read top to bottom:
#   common    validate config + crosswalk, decide the waves and outputs
#   wave      one job per wave: release file(s) -> harmonized respondents (data/interim/)
#             -> that wave's shares, coverage, correlations, models (results/tables/waves/)
#   run       the run's manifest: first job of a run on a changed config or changed files;
#             removes the previous run's aggregate results (results/run.json)
#   tables    one job: the contract tables, Table 4, cross-national tables, every
#             published number beside ours, the weights' quality, provenance, the summary
#   figures   two jobs: the paper's (Figure 1, the Table 4 chart); correlations by country
#   reproduce the gate: fails the run on a missed published number
#   bootstrap optional (config `bootstrap:`): percentile bootstrap intervals
# Few jobs by design: each starts Python and imports pandas & co. (docs/performance.md).


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/run.smk"
include: "workflow/rules/wave.smk"
include: "workflow/rules/comparability.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/reproduce.smk"
include: "workflow/rules/bootstrap.smk"


rule all:
    default_target: True
    input:
        all_outputs(),


# The hooks only print; removing an earlier run's results is the run_manifest job's work.
onsuccess:
    print(run_summary(success=True))


onerror:
    print(run_summary(success=False))
